"""Skill-gap forecasting: demand against supply per skill, for the organisation and each team, with intervals and a
rolling-origin backtest."""
