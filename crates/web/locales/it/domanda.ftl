# Applying online.
