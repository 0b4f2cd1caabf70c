// Command fleetapi is the backend API used by installers and by the tenant
// admin console: provisioning codes, device records and the connection to a
// third-party telematics provider.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/patrickmn/go-cache"

	"github.com/fleetgrid/greenshank/internal/cfkv"
	"github.com/fleetgrid/greenshank/internal/config"
	"github.com/fleetgrid/greenshank/internal/provisioning"
)

const healthProbeKey = "health:fleetapi:probe"

type api struct {
	cfg      config.API
	kv       *cfkv.Client
	sessions *cfkv.Client
	prov     *provisioning.Service
	views    *cache.Cache
	http     *http.Client
}

func main() {
	cfg, err := config.LoadAPI()
	if err != nil {
		log.Fatal(err)
	}
	kvc := cfkv.New(cfg.APIToken, cfg.AccountID, cfg.FleetNS)
	v := validator.New(validator.WithRequiredStructEnabled())
	a := &api{
		cfg:      cfg,
		kv:       kvc,
		sessions: kvc.With(cfg.SessionsNS),
		prov:     provisioning.NewService(kvc, cfg, v),
		views:    cache.New(time.Hour, 10*time.Minute),
		http:     &http.Client{Timeout: 15 * time.Second},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health)
	mux.HandleFunc("POST /v1/provisioning/codes", a.issueCodes)
	mux.HandleFunc("POST /v1/provisioning/redeem", a.redeem)
	mux.HandleFunc("GET /v1/devices/{id}", a.device)
	mux.HandleFunc("POST /v1/devices/{id}/tags", a.addTags)
	mux.HandleFunc("POST /v1/dashboards/{id}/viewed", a.dashboardViewed)
	mux.HandleFunc("GET /v1/integrations/connect", a.connect)
	mux.HandleFunc("GET /v1/integrations/callback", a.callback)

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: a.countUsage(mux), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("fleetapi listening on %s", cfg.ListenAddr)
	log.Fatal(srv.ListenAndServe())
}

func (a *api) countUsage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.Header.Get("X-Tenant"); t != "" {
			a.prov.CountRequest(t)
		}
		next.ServeHTTP(w, r)
	})
}

// health is the load balancer's deep check: it proves the API token can
// still write to the namespace.
func (a *api) health(w http.ResponseWriter, r *http.Request) {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := a.kv.Put(r.Context(), healthProbeKey, stamp, 0); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) issueCodes(w http.ResponseWriter, r *http.Request) {
	var req provisioning.IssueRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	codes, err := a.prov.IssueCodes(r.Context(), req)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, codes)
}

func (a *api) redeem(w http.ResponseWriter, r *http.Request) {
	var req provisioning.RedeemRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	dev, err := a.prov.Redeem(r.Context(), req)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, dev)
}

func (a *api) device(w http.ResponseWriter, r *http.Request) {
	dev, err := a.prov.Device(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dev)
}

func (a *api) addTags(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Tags) == 0 {
		http.Error(w, "tags required", http.StatusBadRequest)
		return
	}
	dev, err := a.prov.AddTags(r.Context(), r.PathValue("id"), body.Tags)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, dev)
}

// dashboardViewed is the console's page-view beacon; the count is shown on the
// dashboard list.
func (a *api) dashboardViewed(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := a.views.IncrementInt64(id, 1)
	if err != nil {
		a.views.SetDefault(id, int64(1))
		n = 1
	}
	if err := a.kv.Put(r.Context(), "stats:views:"+id, []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter
		log.Printf("views %s: %v", id, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// connect starts the OAuth flow with the telematics provider for a tenant.
func (a *api) connect(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		http.Error(w, "tenant required", http.StatusBadRequest)
		return
	}
	state := randomState()
	if err := a.sessions.Put(r.Context(), "oauth:state:"+state, []byte(tenant), a.cfg.OAuthStateTTL); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {a.cfg.Provider.ClientID},
		"redirect_uri":  {a.cfg.PublicURL + "/v1/integrations/callback"},
		"state":         {state},
		"scope":         {"vehicles.read locations.read"},
	}
	http.Redirect(w, r, a.cfg.Provider.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

// callback finishes the OAuth flow and stores the tenant's provider token.
func (a *api) callback(w http.ResponseWriter, r *http.Request) {
	state, code := r.URL.Query().Get("state"), r.URL.Query().Get("code")
	if state == "" || code == "" {
		http.Error(w, "missing state or code", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	stateKey := "oauth:state:" + state
	tenant, err := a.sessions.Get(ctx, stateKey)
	if errors.Is(err, cfkv.ErrNotFound) {
		http.Error(w, "unknown or expired state", http.StatusBadRequest)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := a.sessions.Delete(ctx, stateKey); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	tok, err := a.exchange(code)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := a.kv.Put(ctx, "integration:token:"+string(tenant), tok, 0); err != nil { // DEBATABLE kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/console/integrations?connected=1", http.StatusFound)
}

func (a *api) exchange(code string) ([]byte, error) {
	res, err := a.http.PostForm(a.cfg.Provider.TokenURL, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {a.cfg.PublicURL + "/v1/integrations/callback"},
		"client_id":     {a.cfg.Provider.ClientID},
		"client_secret": {a.cfg.Provider.ClientSecret},
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var tok json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusOK {
		return nil, errors.Join(errors.New("token endpoint: "+res.Status), err)
	}
	return tok, nil
}

func writeErr(w http.ResponseWriter, err error) {
	var verr validator.ValidationErrors
	switch {
	case errors.As(err, &verr):
		http.Error(w, verr.Error(), http.StatusUnprocessableEntity)
	case errors.Is(err, provisioning.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, provisioning.ErrCodeInvalid), errors.Is(err, provisioning.ErrTooManyTags):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, provisioning.ErrSerialTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		log.Printf("fleetapi: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomState() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
