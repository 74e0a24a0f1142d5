-- The last TOTP time step accepted for each user: a code is accepted once (RFC 6238 §5.2).
ALTER TABLE app_user ADD COLUMN totp_last_step BIGINT;
