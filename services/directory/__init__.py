"""The three libraries (三库) and the catalogue: enterprises, officials, experts, matters and industries."""
