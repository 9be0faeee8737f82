-- The back office's own passive authentication of the chip evidence inside each package
-- (ICAO 9303-11 §5.1 against its trust store): `trusted`, `issuer-unknown`, `invalid:<code>`,
-- `unsupported-algorithm`; NULL for QR-only enrollments, which carry no chip evidence.
ALTER TABLE packages ADD COLUMN passive_auth TEXT;
