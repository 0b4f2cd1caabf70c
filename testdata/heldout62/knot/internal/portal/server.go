// Package portal implements the patient portal API: passwordless sign-in by
// magic link, portal sessions and preferences.
package portal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/portal/portalapi"
)

const (
	magicLinkTTL      = 15 * time.Minute
	magicLinkWindow   = time.Hour
	maxLinksPerWindow = 5
)

// Session is stored under sess:<id> in the PORTAL_SESSIONS namespace.
type Session struct {
	ID            string    `json:"id"`
	PatientID     string    `json:"patient_id"`
	ActiveProfile string    `json:"active_profile"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeen      time.Time `json:"last_seen"`
}

type magicLink struct {
	PatientID string    `json:"patient_id"`
	Email     string    `json:"email"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Server implements portalapi.StrictServerInterface.
type Server struct {
	Sessions   *kvstore.Namespace
	Profiles   *kvstore.Namespace
	DB         *sql.DB
	SendLink   func(ctx context.Context, email, link string) error
	BaseURL    string
	SessionTTL time.Duration
}

var _ portalapi.StrictServerInterface = (*Server)(nil)

func (s *Server) RequestMagicLink(ctx context.Context, request portalapi.RequestMagicLinkRequestObject) (portalapi.RequestMagicLinkResponseObject, error) {
	email := strings.ToLower(strings.TrimSpace(request.Body.Email))
	var patientID string
	err := s.DB.QueryRowContext(ctx, `SELECT id FROM patients WHERE email = $1`, email).Scan(&patientID)
	if errors.Is(err, sql.ErrNoRows) {
		return portalapi.RequestMagicLink202Response{}, nil
	}
	if err != nil {
		return nil, err
	}

	attemptsKey := "ml-attempts:" + email
	sent := 0
	if raw, err := s.Sessions.Get(ctx, attemptsKey); err == nil {
		sent, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if sent >= maxLinksPerWindow {
		return portalapi.RequestMagicLink429Response{Headers: portalapi.RequestMagicLink429ResponseHeaders{RetryAfter: int(magicLinkWindow.Seconds())}}, nil
	}
	if err := s.Sessions.Put(ctx, attemptsKey, []byte(strconv.Itoa(sent+1)), magicLinkWindow); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}

	token := randomID()
	link := magicLink{PatientID: patientID, Email: email, IssuedAt: time.Now().UTC()}
	if err := s.Sessions.PutJSON(ctx, "ml:"+token, link, magicLinkTTL); err != nil {
		return nil, err
	}
	if err := s.SendLink(ctx, email, s.BaseURL+"/signin/"+token); err != nil {
		return nil, fmt.Errorf("send magic link: %w", err)
	}
	health := map[string]any{"last_send": time.Now().UTC(), "ok": true}
	if err := s.Profiles.PutJSON(ctx, "mailer:health", health, 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "mailer health write failed", "err", err)
	}
	return portalapi.RequestMagicLink202Response{}, nil
}

func (s *Server) RedeemMagicLink(ctx context.Context, request portalapi.RedeemMagicLinkRequestObject) (portalapi.RedeemMagicLinkResponseObject, error) {
	key := "ml:" + request.Token
	var link magicLink
	found, err := s.Sessions.GetJSON(ctx, key, &link)
	if err != nil {
		return nil, err
	}
	if !found {
		return portalapi.RedeemMagicLink410Response{}, nil
	}
	if err := s.Sessions.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}

	now := time.Now().UTC()
	sess := Session{ID: randomID(), PatientID: link.PatientID, ActiveProfile: link.PatientID, CreatedAt: now, LastSeen: now}
	if err := s.Sessions.PutJSON(ctx, "sess:"+sess.ID, sess, s.SessionTTL); err != nil {
		return nil, err
	}
	cookie := &http.Cookie{
		Name: portalapi.SessionCookie, Value: sess.ID, Path: "/",
		MaxAge: int(s.SessionTTL.Seconds()), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	return portalapi.RedeemMagicLink200JSONResponse{
		Body:    portalapi.SessionView{PatientId: sess.PatientID, ActiveProfile: sess.ActiveProfile, ExpiresAt: now.Add(s.SessionTTL)},
		Headers: portalapi.RedeemMagicLink200ResponseHeaders{SetCookie: cookie.String()},
	}, nil
}

func (s *Server) Logout(ctx context.Context, request portalapi.LogoutRequestObject) (portalapi.LogoutResponseObject, error) {
	if err := s.Sessions.Delete(ctx, "sess:"+request.Params.PortalSession); err != nil { // EXPECT kvsession
		return nil, err
	}
	return portalapi.Logout204Response{}, nil
}

func (s *Server) UpdatePreferences(ctx context.Context, request portalapi.UpdatePreferencesRequestObject) (portalapi.UpdatePreferencesResponseObject, error) {
	sess, ok, err := s.session(ctx, request.Params.PortalSession)
	if err != nil {
		return nil, err
	}
	if !ok {
		return portalapi.UpdatePreferences401Response{}, nil
	}

	key := "prefs:" + sess.ActiveProfile
	prefs := portalapi.Preferences{Language: "en", SmsReminders: true}
	if _, err := s.Profiles.GetJSON(ctx, key, &prefs); err != nil {
		return nil, err
	}
	patch := request.Body
	if patch.Language != nil {
		prefs.Language = *patch.Language
	}
	if patch.SmsReminders != nil {
		prefs.SmsReminders = *patch.SmsReminders
	}
	if patch.PreferredPharmacy != nil {
		prefs.PreferredPharmacy = *patch.PreferredPharmacy
	}
	prefs.UpdatedAt = time.Now().UTC()
	if err := s.Profiles.PutJSON(ctx, key, prefs, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return portalapi.UpdatePreferences200JSONResponse(prefs), nil
}

func (s *Server) session(ctx context.Context, id string) (Session, bool, error) {
	var sess Session
	if id == "" {
		return sess, false, nil
	}
	found, err := s.Sessions.GetJSON(ctx, "sess:"+id, &sess)
	return sess, found, err
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
