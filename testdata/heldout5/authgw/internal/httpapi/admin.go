package httpapi

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/authgw/internal/apikey"
	"example.com/authgw/internal/middleware"
)

// requireAdmin guards the admin surface with a static bearer token.
func (a *API) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if a.d.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.d.AdminToken)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		ctx := middleware.WithPrincipal(r.Context(), &middleware.Principal{UserID: "admin"})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	var body struct {
		Label        string   `json:"label"`
		Scopes       []string `json:"scopes"`
		PerMinute    int      `json:"per_minute"`
		MonthlyQuota int64    `json:"monthly_quota"`
	}
	if err := readJSON(r, &body); err != nil || body.Label == "" {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	lim := apikey.Limits{PerMinute: cmpOr(body.PerMinute, 600), MonthlyQuota: body.MonthlyQuota}
	secret, k, err := a.d.CreateKey(r.Context(), tenant, body.Label, body.Scopes, lim)
	if errors.Is(err, apikey.ErrLabelTaken) {
		a.fail(w, r, http.StatusConflict, "label already in use", nil)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not create key", err)
		return
	}
	a.record(r, "admin", "apikey.create", tenant+"/"+k.ID, true)
	writeJSON(w, http.StatusCreated, map[string]any{"id": k.ID, "secret": secret})
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func (a *API) revokeKey(w http.ResponseWriter, r *http.Request) {
	tenant, id := r.PathValue("tenant"), r.PathValue("id")
	if err := a.d.RevokeKey(r.Context(), tenant, id); errors.Is(err, apikey.ErrUnknownKey) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not revoke key", err)
		return
	}
	a.record(r, "admin", "apikey.revoke", tenant+"/"+id, true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := a.d.ListKeys(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "list failed", err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) exportKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := a.d.ExportKeys(r.Context())
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "export failed", err)
		return
	}
	a.record(r, "admin", "apikey.export", strconv.Itoa(len(keys)), true)
	w.Header().Set("Content-Disposition", `attachment; filename="api-keys.json"`)
	writeJSON(w, http.StatusOK, keys)
}

func (a *API) setFlag(w http.ResponseWriter, r *http.Request) {
	tenant, flag := r.PathValue("tenant"), r.PathValue("flag")
	var body struct {
		On *bool `json:"on"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	var err error
	if body.On == nil {
		err = a.d.ClearFlag(r.Context(), tenant, flag)
	} else {
		err = a.d.SetFlag(r.Context(), tenant, flag, *body.On, "admin")
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "flag update failed", err)
		return
	}
	a.record(r, "admin", "flag.set", tenant+"/"+flag, true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putRoute(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Prefix string `json:"prefix"`
		Alias  string `json:"alias"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	tenant := r.PathValue("tenant")
	if err := a.d.PutRoute(r.Context(), tenant, body.Prefix, body.Alias); err != nil {
		a.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	a.record(r, "admin", "route.put", tenant+body.Prefix, true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listRoutes(w http.ResponseWriter, r *http.Request) {
	page, err := a.d.ListRoutes(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("cursor"))
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "list failed", err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *API) setOrigin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL string `json:"url"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	tenant, alias := r.PathValue("tenant"), r.PathValue("alias")
	if err := a.d.SetOrigin(r.Context(), tenant, alias, body.URL); err != nil {
		a.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	a.record(r, "admin", "origin.set", tenant+"/"+alias, true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) registerClient(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name      string   `json:"name"`
		Redirects []string `json:"redirect_uris"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	c, err := a.d.RegisterClient(r.Context(), r.PathValue("tenant"), body.Name, body.Redirects)
	if err != nil {
		a.fail(w, r, http.StatusBadRequest, "invalid client", nil)
		return
	}
	a.record(r, "admin", "oauth.client.register", c.ID, true)
	writeJSON(w, http.StatusCreated, c)
}

func (a *API) addRedirect(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URI string `json:"redirect_uri"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	id := r.PathValue("id")
	if err := a.d.AddRedirect(r.Context(), id, body.URI); err != nil {
		a.fail(w, r, http.StatusBadRequest, "could not add redirect", nil)
		return
	}
	a.record(r, "admin", "oauth.client.redirect", id, true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) auditIndex(w http.ResponseWriter, r *http.Request) {
	day := r.URL.Query().Get("day")
	if _, err := time.Parse("20060102", day); err != nil {
		a.fail(w, r, http.StatusBadRequest, "day must be YYYYMMDD", nil)
		return
	}
	ids, err := a.d.AuditIndex(r.Context(), day)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "audit index failed", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"day": day, "events": ids})
}

func (a *API) auditTail(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	ids, more, err := a.d.AuditTail(r.Context(), min(max(n, 1), 200))
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "audit tail failed", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": ids, "truncated": more})
}

func (a *API) auditEvent(w http.ResponseWriter, r *http.Request) {
	ev, err := a.d.AuditEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}
