"""scikit-learn estimators the models are built from: fitted offline, applied per request."""
