"""The cleaning sandbox and the decoders it runs: pictures, videos and documents lose what could
name the reporter before they are stored."""
