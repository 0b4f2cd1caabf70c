//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"log"
	"net/http"
	"strings"
	"time"

	"catbird/internal/forum"
	"catbird/internal/members"
)

var verifier = members.Verifier{
	CodeTTL:     15 * time.Minute,
	ResendAfter: time.Minute,
	MaxAttempts: 5,
}

type loginRequest struct {
	MemberID string `json:"member_id"`
	Email    string `json:"email"`
	Code     string `json:"code,omitempty"`
}

func sendCode(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	flags, _ := forumKV.NS().GetString("flags:signin", nil)
	if flags != "" { // EXPECT kvnull
		var f struct {
			Closed  bool   `json:"closed"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(flags), &f); err == nil && f.Closed {
			fail(w, http.StatusServiceUnavailable, errors.New(f.Message))
			return
		}
	}
	var in loginRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.MemberID == "" {
		fail(w, http.StatusBadRequest, errors.New("member_id required"))
		return
	}
	v := verifier
	v.B = sessKV
	code, err := v.Issue(in.MemberID, in.Email)
	if errors.Is(err, members.ErrResendTooSoon) {
		fail(w, http.StatusTooManyRequests, err)
		return
	}
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	mailCode(in.Email, code)
	w.WriteHeader(http.StatusAccepted)
}

func redeemCode(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	var in loginRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	v := verifier
	v.B = sessKV
	email, err := v.Redeem(in.MemberID, in.Code)
	switch {
	case errors.Is(err, members.ErrCodeMismatch), errors.Is(err, members.ErrNoPendingCode):
		fail(w, http.StatusUnauthorized, err)
		return
	case errors.Is(err, members.ErrTooManyAttempts):
		fail(w, http.StatusTooManyRequests, err)
		return
	case err != nil:
		fail(w, http.StatusBadGateway, err)
		return
	}

	var m forum.Member
	if found, err := forumKV.GetJSON(forum.MemberKey(in.MemberID), &m); err != nil || !found {
		fail(w, http.StatusNotFound, errors.New("unknown member"))
		return
	}
	card := map[string]any{"id": m.ID, "handle": m.Handle, "at": time.Now().Unix(), "email_domain": domainOf(email)}
	if err := forumKV.PutJSON("members:last-sign-in", card, 0); err != nil { // EXPECT kvhotkey
		log.Printf("last sign-in: %v", err)
	}
	sess, err := members.DefaultSessions(sessKV).Create(m, r.UserAgent())
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    sess.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int((14 * 24 * time.Hour).Seconds()),
	})
	writeJSON(w, http.StatusOK, map[string]string{"csrf": sess.CSRF})
}

func logout(w http.ResponseWriter, r *http.Request) {
	_, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	sess, s, err := currentSession(r, sessKV)
	if err == nil {
		if err := s.End(sess); err != nil {
			fail(w, http.StatusBadGateway, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func claimHandle(w http.ResponseWriter, r *http.Request) {
	forumKV, sessKV, ok := buckets(w)
	if !ok {
		return
	}
	sess, _, err := currentSession(r, sessKV)
	if err != nil || sess.MemberID != r.PathValue("id") {
		fail(w, http.StatusForbidden, errors.New("not your account"))
		return
	}
	handle := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("handle")))
	if err := forum.ValidSlug(handle); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	if err := members.ClaimHandle(forumKV, handle, sess.MemberID); err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, members.ErrHandleTaken) {
			status = http.StatusConflict
		}
		fail(w, status, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func domainOf(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[i+1:]
	}
	return ""
}

func contentHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// renderMarkdown is the Worker's preview renderer: escaped paragraphs only.
// Full rendering happens on the origin.
func renderMarkdown(src string) string {
	paras := strings.Split(strings.ReplaceAll(html.EscapeString(src), "\r\n", "\n"), "\n\n")
	return "<p>" + strings.Join(paras, "</p><p>") + "</p>"
}

func mailCode(to, code string) {
	log.Printf("mail queued to=%s code=%s…", to, code[:2])
}
