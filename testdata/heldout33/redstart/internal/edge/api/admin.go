//go:build js && wasm

package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/exptrack/redstart/internal/edge/auth"
	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
)

const previewFor = 2 * time.Hour

// settingKeys are the tenant settings an admin may change from the UI.
var settingKeys = map[string]bool{
	"daily_cap":      true,
	"dedupe_seconds": true,
	"strategy":       true,
	"recent_feed":    true,
}

func registerAdmin(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/sign-in/{method}", handleSignIn)
	mux.HandleFunc("POST /admin/send-code", handleSendCode)
	mux.HandleFunc("POST /admin/logout", withSession(handleLogout))
	mux.HandleFunc("GET /admin/sessions", withSession(handleSessions))
	mux.HandleFunc("POST /admin/sessions/revoke-others", withSession(handleRevokeOthers))
	mux.HandleFunc("PATCH /admin/settings", withSession(handleSettings))
	mux.HandleFunc("POST /admin/experiments/{id}/preview", withSession(handlePreview))
	mux.HandleFunc("GET /admin/experiments/{id}/assignments", withSession(handleAssignments))
}

func authService() *auth.Service {
	return &auth.Service{Users: kvedge.MustOpen("CONFIG"), Sessions: kvedge.MustOpen("SESSIONS")}
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, svc *auth.Service, sess *model.Session)

func withSession(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc := authService()
		sess, err := svc.Authenticate(r.Context(), r)
		if errors.Is(err, auth.ErrNoSession) {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		} else if err != nil {
			fail(w, err)
			return
		}
		h(w, r, svc, sess)
	}
}

func setCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: auth.CookieName, Value: value, Path: "/admin",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int((8 * time.Hour).Seconds()),
	})
}

func signInResult(w http.ResponseWriter, sess *model.Session, cookie string, err error) {
	switch {
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrBadCode):
		http.Error(w, err.Error(), http.StatusUnauthorized)
	case errors.Is(err, auth.ErrLocked), errors.Is(err, auth.ErrThrottled):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	case err != nil:
		fail(w, err)
	default:
		setCookie(w, cookie)
		writeJSON(w, http.StatusOK, map[string]any{"user": sess.User, "tenant": sess.Tenant, "role": sess.Role})
	}
}

type credentials struct {
	Tenant   string `json:"tenant"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Code     string `json:"code"`
	Token    string `json:"token"`
}

type signInFunc func(ctx context.Context, svc *auth.Service, c credentials, ip string) (*model.Session, string, error)

// signInMethods are the ways an admin can sign in, by the last path segment
// of POST /admin/sign-in/{method}.
var signInMethods = map[string]signInFunc{
	"password": func(ctx context.Context, svc *auth.Service, c credentials, ip string) (*model.Session, string, error) {
		return svc.Login(ctx, c.Tenant, c.Email, c.Password, ip)
	},
	"otp": func(ctx context.Context, svc *auth.Service, c credentials, _ string) (*model.Session, string, error) {
		return svc.VerifyOTP(ctx, c.Tenant, c.Email, c.Code)
	},
	"magic-link": func(ctx context.Context, svc *auth.Service, c credentials, _ string) (*model.Session, string, error) {
		return svc.RedeemMagicLink(ctx, c.Token)
	},
}

func handleSignIn(w http.ResponseWriter, r *http.Request) {
	method, ok := signInMethods[r.PathValue("method")]
	var c credentials
	if !ok || json.NewDecoder(r.Body).Decode(&c) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sess, cookie, err := method(r.Context(), authService(), c, r.Header.Get("CF-Connecting-IP"))
	signInResult(w, sess, cookie, err)
}

func handleLogout(w http.ResponseWriter, r *http.Request, svc *auth.Service, sess *model.Session) {
	if err := svc.Logout(r.Context(), sess); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Path: "/admin", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// handleSendCode mails a one-time code or a magic link.
func handleSendCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var c credentials
	if json.NewDecoder(r.Body).Decode(&c) != nil || c.Tenant == "" || c.Email == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	svc := authService()
	var subject, body string
	var err error
	if r.URL.Query().Get("kind") == "link" {
		subject = "Your sign-in link"
		body, err = svc.SendMagicLink(ctx, c.Tenant, c.Email)
	} else {
		subject = "Your sign-in code"
		body, err = svc.StartOTP(ctx, c.Tenant, c.Email, r.Header.Get("CF-Connecting-IP"))
	}
	if err == nil {
		err = sendMail(ctx, c.Email, subject, body)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleSessions lists the admin's sessions one page at a time.
func handleSessions(w http.ResponseWriter, r *http.Request, svc *auth.Service, sess *model.Session) {
	names, next, err := svc.Sessions.Page(r.Context(), keys.SessionPrefix(sess.Tenant, sess.User), r.URL.Query().Get("cursor"), 50)
	if err != nil {
		fail(w, err)
		return
	}
	ids := make([]string, 0, len(names))
	for _, n := range names {
		ids = append(ids, n[strings.LastIndexByte(n, ':')+1:])
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": ids, "current": sess.ID, "cursor": next})
}

func handleRevokeOthers(w http.ResponseWriter, r *http.Request, svc *auth.Service, sess *model.Session) {
	n, err := svc.SignOutOthers(r.Context(), sess)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"ended": n})
}

func loadDoc(ctx context.Context, st *kvedge.Store, key string) (map[string]any, error) {
	raw, ok, err := st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{}
	if ok {
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func saveDoc(ctx context.Context, st *kvedge.Store, key string, doc map[string]any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, string(b), 0)
}

func handleSettings(w http.ResponseWriter, r *http.Request, _ *auth.Service, sess *model.Session) {
	ctx := r.Context()
	if sess.Role != "owner" && sess.Role != "admin" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var patch map[string]any
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cfg := kvedge.MustOpen("CONFIG")
	key := keys.TenantConfig(sess.Tenant)
	doc, err := loadDoc(ctx, cfg, key)
	if err != nil {
		fail(w, err)
		return
	}
	for k, v := range patch {
		if settingKeys[k] {
			doc[k] = v
		}
	}
	if err := saveDoc(ctx, cfg, key, doc); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

type preview struct {
	Tenant     string `json:"tenant"`
	Experiment string `json:"experiment"`
	Variant    string `json:"variant"`
	CreatedBy  string `json:"created_by"`
}

// handlePreview creates a shareable link that forces one variant.
func handlePreview(w http.ResponseWriter, r *http.Request, _ *auth.Service, sess *model.Session) {
	var p preview
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Variant == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p.Tenant, p.Experiment, p.CreatedBy = sess.Tenant, r.PathValue("id"), sess.User
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	body, _ := json.Marshal(p)
	ns := kvedge.MustOpen("CACHE").Binding()
	if err := ns.PutString("preview:"+p.Tenant+":"+p.Experiment+":"+id, string(body), &kv.PutOptions{ExpirationTTL: int(previewFor)}); err != nil { // EXPECT kvttl
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"preview": id, "expires_in": previewFor.String()})
}

// handleAssignments pages through the sticky assignments of an experiment.
func handleAssignments(w http.ResponseWriter, r *http.Request, _ *auth.Service, sess *model.Session) {
	res, err := kvedge.MustOpen("ASSIGN").Binding().List(&kv.ListOptions{
		Prefix: keys.AssignmentPrefix(sess.Tenant, r.PathValue("id")),
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		fail(w, err)
		return
	}
	subjects := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		subjects = append(subjects, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"subjects": subjects, "cursor": next})
}

// sendMail hands a message to the admin backend's mail queue.
func sendMail(ctx context.Context, to, subject, body string) error {
	payload, _ := json.Marshal(map[string]string{"to": to, "subject": subject, "body": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cloudflare.Getenv("ORIGIN_URL")+"/internal/mail", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cloudflare.Getenv("ORIGIN_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeError).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("api: mail queue answered %s", resp.Status)
	}
	return nil
}
