# Messages with the office, answers to an integration request or a notice, the decision.
