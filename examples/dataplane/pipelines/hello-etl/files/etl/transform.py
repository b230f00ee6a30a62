import os

day = os.environ.get("DP_PARAM_day", "unknown")
print(f"transforming the rows of {day}")
