"""The appeal-document library: papers per client and store, their freshness, links to cases."""
