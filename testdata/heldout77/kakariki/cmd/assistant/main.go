// Command assistant serves the Kakariki chat API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kakariki-ai/kakariki/internal/agent"
	"github.com/kakariki-ai/kakariki/internal/auth"
	"github.com/kakariki-ai/kakariki/internal/cache"
	"github.com/kakariki-ai/kakariki/internal/conversation"
	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
	"github.com/kakariki-ai/kakariki/internal/quota"
)

type server struct {
	kv        *kvstore.Store
	agent     *agent.Agent
	sessions  *auth.Sessions
	connector *auth.Connector
	convs     *conversation.Store
	ledger    *quota.Ledger
}

func main() {
	store := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	model := &llm.Scripted{}
	window, err := time.ParseDuration(envOr("RATE_WINDOW", "1m"))
	if err != nil {
		log.Fatalf("RATE_WINDOW: %v", err)
	}
	cacheTTL, err := time.ParseDuration(envOr("RESPONSE_CACHE_TTL", "6h"))
	if err != nil {
		log.Fatalf("RESPONSE_CACHE_TTL: %v", err)
	}
	convs := &conversation.Store{KV: store}
	ledger := &quota.Ledger{KV: store, Window: window}
	tally := &quota.Tally{KV: store}
	cal := &calendarClient{base: os.Getenv("CALENDAR_API")}
	s := &server{
		kv:       store,
		sessions: &auth.Sessions{KV: store, TTL: 14 * 24 * time.Hour},
		connector: &auth.Connector{
			KV:       store,
			AuthURL:  os.Getenv("CALENDAR_AUTH_URL"),
			ClientID: os.Getenv("CALENDAR_CLIENT_ID"),
			Exchange: cal,
		},
		convs:  convs,
		ledger: ledger,
		agent: &agent.Agent{
			KV:        store,
			Model:     model,
			Convs:     convs,
			Ledger:    ledger,
			Tally:     tally,
			Responses: &cache.Responses{KV: store, TTL: cacheTTL},
			Emb:       &cache.Embeddings{KV: store, Client: model, Model: "kakariki-embed-1"},
			Calendar:  cal,
			BaseURL:   envOr("PUBLIC_URL", "https://kakariki.example"),
		},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat", s.chat)
	mux.HandleFunc("POST /v1/chat/stream", s.chatStream)
	mux.HandleFunc("GET /v1/conversations", s.listConversations)
	mux.HandleFunc("POST /v1/logout", s.logout)
	mux.HandleFunc("POST /v1/password", s.passwordChanged)
	mux.HandleFunc("GET /oauth/calendar/start", s.calendarStart)
	mux.HandleFunc("GET /oauth/calendar/callback", s.calendarCallback)
	mux.HandleFunc("POST /webhooks/billing", s.billingWebhook)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go s.background(ctx, tally, model)

	srv := &http.Server{Addr: envOr("ADDR", ":8080"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		_ = tally.Flush(shutdown)
	}()
	log.Printf("assistant listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) session(w http.ResponseWriter, r *http.Request) (*auth.Session, bool) {
	sess, err := s.sessions.FromRequest(r.Context(), r)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in required"})
		return nil, false
	}
	if time.Since(sess.LastSeen) > time.Hour {
		if err := s.sessions.Touch(r.Context(), sess); err != nil {
			log.Printf("touch session: %v", err)
		}
	}
	return sess, true
}

type chatRequest struct {
	ConversationID string `json:"conversation_id"`
	Message        string `json:"message"`
}

func (s *server) chat(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Message == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "message required"})
		return
	}
	reply, err := s.agent.Run(r.Context(), sess.UserID, req.ConversationID, req.Message)
	switch {
	case errors.Is(err, quota.ErrRateLimited):
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": err.Error()})
		return
	case errors.Is(err, quota.ErrExhausted):
		writeJSON(w, http.StatusPaymentRequired, map[string]string{"error": err.Error()})
		return
	case err != nil:
		log.Printf("chat %s: %v", sess.UserID, err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "the assistant is unavailable"})
		return
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	_ = s.kv.Put(r.Context(), "stats:last-chat", stamp, 0) // EXPECT kvhotkey
	writeJSON(w, http.StatusOK, map[string]string{"reply": reply})
}

func (s *server) chatStream(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "streaming unsupported"})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	out := make(chan string)
	errc := make(chan error, 1)
	go func() { errc <- s.agent.Stream(r.Context(), sess.UserID, req.ConversationID, req.Message, out) }()
	for delta := range out {
		fmt.Fprintf(w, "data: %s\n\n", strconv.Quote(delta))
		flusher.Flush()
	}
	if err := <-errc; err != nil {
		fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
	}
	fmt.Fprint(w, "event: done\ndata: {}\n\n")
}

func (s *server) listConversations(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	sums, ids, next, err := s.convs.ListPage(r.Context(), sess.UserID, r.URL.Query().Get("cursor"))
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	items := make([]map[string]any, len(ids))
	for i := range ids {
		items[i] = map[string]any{"id": ids[i], "title": sums[i].Title, "updated": sums[i].Updated}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "cursor": next})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessions.FromRequest(r.Context(), r)
	if err == nil {
		if err := s.sessions.Logout(r.Context(), sess); err != nil {
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) passwordChanged(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.sessions.RevokeAll(r.Context(), sess.UserID); err != nil {
		log.Printf("revoke sessions of %s: %v", sess.UserID, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) calendarStart(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	url, err := s.connector.Begin(r.Context(), sess.UserID, "/settings")
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	http.Redirect(w, r, url, http.StatusFound)
}

func (s *server) calendarCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next, err := s.connector.Finish(r.Context(), q.Get("state"), q.Get("code"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	http.Redirect(w, r, next, http.StatusFound)
}

type billingEvent struct {
	Type   string     `json:"type"`
	UserID string     `json:"user_id"`
	Plan   quota.Plan `json:"plan"`
}

func (s *server) billingWebhook(w http.ResponseWriter, r *http.Request) {
	var ev billingEvent
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	switch ev.Type {
	case "subscription.updated", "subscription.created":
		if err := s.kv.PutJSON(ctx, "plan:"+ev.UserID, ev.Plan, 0); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	case "subscription.deleted":
		_ = s.kv.Delete(ctx, "plan:"+ev.UserID)
	}
	_ = s.kv.PutJSON(ctx, "billing:last-webhook", map[string]any{"type": ev.Type, "at": time.Now().Unix()}, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}
