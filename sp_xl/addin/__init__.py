"""The Excel add-in sp_xl.xlam: its build, its VBA sources, the ribbon and its handlers."""
