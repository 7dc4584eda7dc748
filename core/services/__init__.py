"""Write paths for the shared model: every change validates, writes its history and fires hooks."""
