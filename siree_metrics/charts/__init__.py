"""Charts as pure functions of data frames: one style module (colours, layout, words for statuses, number formats),
one module per chart family (indicators, budget)."""
