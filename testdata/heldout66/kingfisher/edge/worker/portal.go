//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionCookie = "kf_session"
	sessionTTL    = 24 * 60 * 60
)

type session struct {
	CustomerID string    `json:"customer_id"`
	OrderID    string    `json:"order_id,omitempty"`
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
}

type magicLink struct {
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// handleMagicLink signs a guest in from the link in their confirmation
// email and sends them to their order.
func handleMagicLink(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	token := r.PathValue("token")
	key := "magic:" + token
	raw, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if raw == null {
		fail(w, http.StatusNotFound, "link expired")
		return
	}
	var link magicLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		fail(w, http.StatusInternalServerError, "bad link")
		return
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}

	sid := randomID()
	now := time.Now().UTC()
	s, _ := json.Marshal(session{CustomerID: link.CustomerID, OrderID: link.OrderID, Created: now, LastSeen: now})
	if err := ns.PutString("sess:"+sid, string(s), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	_ = ns.PutString("sess-index:"+link.CustomerID+":"+sid, now.Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: sessionTTL})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: sessionTTL})
	http.Redirect(w, r, "/portal/orders?order="+url.QueryEscape(link.OrderID), http.StatusFound)
}

// handlePortalOrders lists the signed-in customer's open orders.
func handlePortalOrders(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	key := "sess:" + c.Value
	raw, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	s.LastSeen = time.Now().UTC()
	if b, err := json.Marshal(s); err == nil {
		_ = ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession|kvrace
	}

	ids, err := ns.GetString("customer:"+s.CustomerID+":open-orders", &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	var open []string
	if ids != null {
		_ = json.Unmarshal([]byte(ids), &open)
	}
	orders := make([]json.RawMessage, 0, len(open))
	for _, id := range open {
		o, err := ns.GetString("order:"+id, nil)
		if err != nil || o == null {
			continue
		}
		orders = append(orders, json.RawMessage(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer_id": s.CustomerID, "orders": orders})
}

// handleDevices lists the customer's signed-in devices.
func handleDevices(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	raw, err := ns.GetString("sess:"+c.Value, nil)
	if err != nil || raw == null {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fail(w, http.StatusUnauthorized, "sign in")
		return
	}
	ids, err := collectSessions(ns, s.CustomerID)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": ids, "current": c.Value})
}

var hookName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

type hook struct {
	Name       string    `json:"name"`
	URL        string    `json:"url"`
	MerchantID string    `json:"merchant_id"`
	Created    time.Time `json:"created"`
}

// handleRegisterHook lets a merchant claim a webhook name for status
// callbacks.
func handleRegisterHook(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	key, err := authenticate(ns, r)
	if err != nil || key == nil {
		fail(w, http.StatusUnauthorized, "unknown api key")
		return
	}
	var req hook
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&req); err != nil || !hookName.MatchString(req.Name) {
		fail(w, http.StatusBadRequest, "bad hook")
		return
	}
	if u, err := url.Parse(req.URL); err != nil || u.Scheme != "https" {
		fail(w, http.StatusBadRequest, "hook url must be https")
		return
	}
	hookKey := "hook:" + req.Name
	existing, err := ns.GetString(hookKey, nil)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if existing != null {
		fail(w, http.StatusConflict, "name taken")
		return
	}
	req.MerchantID, req.Created = key.MerchantID, time.Now().UTC()
	b, _ := json.Marshal(req)
	if err := ns.PutString(hookKey, string(b), nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusCreated, req)
}

// handleSlackCallback completes the "Connect Slack" flow of the merchant
// dashboard.
func handleSlackCallback(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	state := r.URL.Query().Get("state")
	stateKey := "oauth-state:" + state
	merchant, err := ns.GetString(stateKey, nil)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if state == "" || merchant == null {
		fail(w, http.StatusBadRequest, "unknown state")
		return
	}
	if err := ns.Delete(stateKey); err != nil { // EXPECT kvsession
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	team, err := exchangeSlackCode(r.URL.Query().Get("code"))
	if err != nil {
		fail(w, http.StatusBadGateway, "slack exchange failed")
		return
	}
	inst, _ := json.Marshal(map[string]string{"merchant_id": merchant, "team_id": team.ID, "bot_token": team.Token})
	if err := ns.PutString("slack-install:"+merchant, string(inst), nil); err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	http.Redirect(w, r, "/dashboard/integrations?connected=slack", http.StatusFound)
}

type slackTeam struct{ ID, Token string }

func exchangeSlackCode(code string) (slackTeam, error) {
	resp, err := http.PostForm("https://slack.com/api/oauth.v2.access", url.Values{
		"code":          {code},
		"client_id":     {cloudflare.Getenv("SLACK_CLIENT_ID")},
		"client_secret": {cloudflare.Getenv("SLACK_CLIENT_SECRET")},
	})
	if err != nil {
		return slackTeam{}, err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string              `json:"access_token"`
		Team        struct{ ID string } `json:"team"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return slackTeam{ID: out.Team.ID, Token: out.AccessToken}, err
}
