-- The stock ledger is append-only: corrections are new movements, never edits. A GDPR erasure or
-- retention job that must remove rows does so as the table owner with the trigger disabled.
CREATE FUNCTION winkel_refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock_movements is append-only; record a correcting movement instead' USING ERRCODE = 'check_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
  FOR EACH ROW EXECUTE FUNCTION winkel_refuse_ledger_change();
