package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"wryneck/internal/exports"
	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/quota"
	"wryneck/internal/subscribers"
)

// SubscribeRequest is the public signup form.
type SubscribeRequest struct {
	Email  string `json:"email"`
	ListID string `json:"list_id"`
	Source string `json:"source"`
}

type subscribeHandler struct {
	svc *subscribers.Service
}

func (h subscribeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req SubscribeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	tok, err := h.svc.Subscribe(r.Context(), subscribers.SubscribeCommand{ListID: req.ListID, Address: req.Email, Origin: req.Source})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"confirmation": tok})
}

type confirmHandler struct {
	svc *subscribers.Service
}

func (h confirmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.svc.Confirm(r.Context(), r.PathValue("token"))
	if errors.Is(err, newsletter.ErrNotFound) {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PreferencesRequest is the body of PATCH /lists/{list}/subscribers/{email}.
type PreferencesRequest struct {
	Frequency *newsletter.Frequency `json:"frequency"`
	Add       []string              `json:"add_topics"`
	Drop      *string               `json:"drop_topic"`
}

type preferencesHandler struct {
	svc *subscribers.Service
}

func (h preferencesHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	list, email := r.PathValue("list"), r.PathValue("email")
	if r.Method == http.MethodGet {
		p, err := h.svc.Preferences(r.Context(), list, email)
		if errors.Is(err, subscribers.ErrUnknown) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	var req PreferencesRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := h.svc.UpdatePreferences(r.Context(), subscribers.PreferencesCommand{
		ListID: list, Address: email, Frequency: req.Frequency, AddTopics: req.Add, DropTopic: req.Drop,
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type listPageHandler struct {
	exp *exports.Exporter
}

func (h listPageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var limit *int
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
		limit = opt.Ptr(min(max(v, 10), 1000))
	}
	page, err := h.exp.Page(r.Context(), r.PathValue("list"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(struct {
		Keys   []newsletter.Key `json:"keys"`
		Cursor string           `json:"cursor,omitempty"`
		Done   bool             `json:"done"`
	}{page.Keys, page.Cursor, page.Complete})
}

type downloadHandler struct {
	store newsletter.Store
}

func (h downloadHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("export")
	raw, err := h.store.Get(ctx, "export:"+id)
	if errors.Is(err, newsletter.ErrNotFound) {
		http.Error(w, "export expired", http.StatusGone)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var m exports.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	hitsKey := "exports:hits:" + id
	hits := int64(0)
	if v, err := h.store.Get(ctx, hitsKey); err == nil {
		hits, _ = strconv.ParseInt(string(v), 10, 64)
	}
	_ = h.store.Put(ctx, hitsKey, []byte(strconv.FormatInt(hits+1, 10)), newsletter.PutOptions{TTL: opt.Ptr(30 * 24 * time.Hour)}) // EXPECT kvcounter|kvrace
	http.Redirect(w, r, "https://exports.wryneck.example/"+m.Object, http.StatusFound)
}

type suppressHandler struct {
	store newsletter.Store
}

func (h suppressHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "suppress:" + r.PathValue("email")
	if _, err := h.store.Get(ctx, key); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(map[string]any{"reason": "manual", "by": r.FormValue("operator"), "at": time.Now().UTC()})
		if err := h.store.Put(ctx, key, b, newsletter.PutOptions{}); err != nil { // DEBATABLE kvrace
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

type quotaHandler struct {
	limiter *quota.Limiter
}

func (h quotaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, err := h.limiter.Usage(r.Context(), r.PathValue("sender"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"used": n})
}

type healthHandler struct {
	store newsletter.Store
}

func (h healthHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := h.store.Put(r.Context(), "health:last-probe", stamp, newsletter.PutOptions{}); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}
