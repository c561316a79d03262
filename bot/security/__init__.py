"""Keys, sealing, pseudonyms, sealed chat addresses, the receipt guard, officers' words made
inert."""
