package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"kinglet/internal/kvstore"
)

func (s *Server) showPayLink(w http.ResponseWriter, r *http.Request) {
	l, err := s.Links.Lookup(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) completePayment(w http.ResponseWriter, r *http.Request) {
	l, err := s.Links.Redeem(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"paid": l.InvoiceNumber})
}

func (s *Server) partialPayment(w http.ResponseWriter, r *http.Request) {
	cents, err := strconv.ParseInt(r.FormValue("amount_cents"), 10, 64)
	if err != nil || cents <= 0 {
		http.Error(w, "amount_cents required", http.StatusBadRequest)
		return
	}
	l, err := s.Links.ApplyPartialPayment(r.Context(), r.PathValue("token"), cents)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

type pspEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Invoice string `json:"invoice"`
	Amount  int64  `json:"amount"`
}

// pspWebhook records payment provider events.
func (s *Server) pspWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var ev pspEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Cfg.AccountID),
		ExpirationTTL: cloudflare.F((30 * 24 * time.Hour).Seconds()),
	}
	params.Value = cloudflare.F(string(body))
	if _, err := s.Client.KV.Namespaces.Values.Update(ctx, s.Cfg.NS.Links, "psp-event:"+ev.ID, params); err != nil {
		s.fail(w, r, err)
		return
	}
	hb := params
	hb.Value = cloudflare.F(time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := s.Client.KV.Namespaces.Values.Update(ctx, s.Cfg.NS.Links, "psp:last-webhook", hb); err != nil { // EXPECT kvhotkey
		s.Log.Warn("heartbeat", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) requestLogin(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	user, customer := r.FormValue("user_id"), r.FormValue("customer_id")
	if err := s.Login.SendMagicLink(r.Context(), email, user, customer); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Login.RedeemMagicLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    sess.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(s.Cfg.SessionTTL.Seconds()),
	})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.Sessions.End(r.Context(), sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) switchCompany(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	updated, err := s.Sessions.SwitchCompany(r.Context(), sess.ID, r.FormValue("company"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

func (s *Server) passwordChanged(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.Sessions.RevokeAllBefore(r.Context(), sess.UserID, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	fresh, err := s.Sessions.Create(r.Context(), sess.UserID, sess.CustomerID, sess.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: fresh.ID, Path: "/", HttpOnly: true, Secure: true})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) stepUp(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if code := r.FormValue("code"); code != "" {
		if err := s.Login.VerifyCode(r.Context(), sess, code); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := s.Login.SendCode(r.Context(), sess); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// claimSlug reserves a vanity portal address such as acme.pay.example.
func (s *Server) claimSlug(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	slug := strings.ToLower(r.PathValue("slug"))
	key := fmt.Sprintf("slug:%s", slug)
	_, err := s.Client.KV.Namespaces.Values.Get(ctx, s.Cfg.NS.Sessions, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Cfg.AccountID)})
	if err == nil {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if !kvstore.IsNotFound(err) {
		s.fail(w, r, err)
		return
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.Cfg.NS.Sessions, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.Cfg.AccountID),
		Value:     cloudflare.F(sess.CustomerID),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"slug": slug, "customer": sess.CustomerID})
}

func (s *Server) fxLatest(w http.ResponseWriter, r *http.Request) {
	rates, err := s.FX.Latest(r.Context(), r.PathValue("base"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rates)
}

func (s *Server) fxSpot(w http.ResponseWriter, r *http.Request) {
	rates, err := s.FX.Spot().Latest(r.Context(), r.PathValue("base"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rates)
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	scopes := strings.Split(r.FormValue("scopes"), ",")
	secret, k, err := s.Keys.Create(r.Context(), sess.CustomerID, r.FormValue("label"), scopes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": k, "secret": secret})
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	keys, err := s.Keys.List(r.Context(), sess.CustomerID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, keys)
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.Keys.Revoke(r.Context(), sess.CustomerID, r.PathValue("id"), r.FormValue("hash")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminListKeys returns one page of a namespace for the support console;
// the console passes the cursor back for the next page.
func (s *Server) adminListKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v >= 10 && v <= 1000 {
		limit = v
	}
	keys, cursor, err := s.Store.ListPage(r.Context(), r.PathValue("ns"), q.Get("prefix"), q.Get("cursor"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": cursor})
}
