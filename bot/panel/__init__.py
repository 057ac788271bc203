"""The live panel: panellists, presentations, members' questions, review, relay and answers."""
