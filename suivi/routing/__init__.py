"""Who answers: the case owner, the dedicated advisor, a named backup, then the team."""
