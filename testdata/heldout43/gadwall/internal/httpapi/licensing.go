package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"gadwall/internal/activation"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
	"gadwall/internal/tenant"
)

// tenantFunc is a handler body that runs against the tenant named in the
// path.
type tenantFunc func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error

func forTenant(d Deps, fn tenantFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := d.Tenants.Lookup(r.PathValue("tenant"))
		if err == nil {
			err = fn(w, r, t, keys.LicenseID(r.PathValue("license")))
		}
		if err != nil {
			fail(w, err)
		}
	}
}

func handleActivate(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error {
		var req activation.Request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.Fingerprint == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return nil
		}
		m, err := d.Activation.Activate(r.Context(), t, id, req)
		if err != nil {
			return err
		}
		return writeJSON(w, m)
	})
}

func handleDeactivate(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error {
		if err := d.Activation.Deactivate(r.Context(), t, id, r.URL.Query().Get("fingerprint")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

func handleValidate(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error {
		v, err := d.Activation.Validate(r.Context(), t, id)
		if err != nil {
			return err
		}
		if fp := r.URL.Query().Get("fingerprint"); v.Valid && fp != "" {
			_ = d.Activation.Heartbeat(r.Context(), t, id, fp)
			_ = d.Activation.RecordCheckIn(r.Context(), t, id)
		}
		return writeJSON(w, v)
	})
}

func handleGrant(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error {
		g, err := d.Activation.IssueGrant(r.Context(), t, d.Signer, id, r.URL.Query().Get("fingerprint"))
		if err != nil {
			return err
		}
		return writeJSON(w, g)
	})
}

func handleTrialStart(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tr, err := d.Trials.Start(r.Context(), r.PathValue("product"), r.PathValue("fingerprint"), r.URL.Query().Get("email"))
		if err != nil {
			fail(w, err)
			return
		}
		_ = writeJSON(w, map[string]any{"active": tr.Active(), "ends_at": tr.EndsAt})
	}
}

func handleFlags(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, _ keys.LicenseID) error {
		raw, _ := t.KV.Get(r.Context(), keys.Static("config/flags")) // EXPECT kvnull
		flags := map[string]bool{}
		_ = json.Unmarshal(raw, &flags)
		w.Header().Set("Cache-Control", "max-age=300")
		return writeJSON(w, flags)
	})
}

// handleLicensePage returns one page of a tenant's licence keys; the
// client passes the cursor back for the next page.
func handleLicensePage(d Deps) http.HandlerFunc {
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, _ keys.LicenseID) error {
		page, err := t.KV.List(r.Context(), keys.LicensePrefix, r.URL.Query().Get("cursor"), 100)
		if err != nil {
			return err
		}
		return writeJSON(w, page)
	})
}

func handleLicenseShow(d Deps) http.HandlerFunc {
	find := (*license.Licenses).Find
	return forTenant(d, func(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, id keys.LicenseID) error {
		lic, err := find(license.NewLicenses(t.KV, d.Clock), r.Context(), id)
		if err != nil {
			return err
		}
		audit, err := t.KV.Get(r.Context(), keys.Audit(lic.ID))
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		return writeJSON(w, map[string]any{"license": lic, "audit": string(audit), "as_of": d.Clock.Now().Format(time.RFC3339)})
	})
}
