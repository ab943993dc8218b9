"""The NEF-side SDK for Npcf_BDTPolicyControl, over the generated client ``npcf_bdt_client``."""
