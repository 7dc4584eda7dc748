"""The legal rules the product knows, as plain functions parameterised by the plan."""
