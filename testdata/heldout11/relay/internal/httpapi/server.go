// Package httpapi is relay's JSON API.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/channels"
	"example.com/relay/internal/fanout"
	"example.com/relay/internal/linkpreview"
	"example.com/relay/internal/moderation"
	"example.com/relay/internal/presence"
	"example.com/relay/internal/sessions"
	"example.com/relay/internal/store"
	"example.com/relay/internal/workspace"
)

// Passwords checks credentials against the identity provider.
type Passwords interface {
	Verify(ctx context.Context, email, password string) (userID string, err error)
}

// Server holds the services behind the API.
type Server struct {
	Sessions   *sessions.Manager
	Workspaces *workspace.Service
	Channels   *channels.Service
	Presence   *presence.Tracker
	Previews   *linkpreview.Cache
	Moderation *moderation.Lists
	Fanout     *fanout.Pool
	Passwords  Passwords

	State      store.Store
	Stats      cfns.Namespace
	RateMax    int
	RateWindow time.Duration
	Log        *slog.Logger
}

// Handler returns the routed, wrapped API.
func (s *Server) Handler() http.Handler {
	public := map[string]Handler{
		"POST /v1/login":  s.login,
		"GET /v1/preview": s.preview,
	}
	private := map[string]Handler{
		"POST /v1/logout":                                 s.logout,
		"POST /v1/password":                               s.passwordChanged,
		"POST /v1/workspaces":                             s.createWorkspace,
		"POST /v1/workspaces/{ws}/invites":                s.invite,
		"POST /v1/invites/{code}/redeem":                  s.redeem,
		"POST /v1/workspaces/{ws}/channels/{ch}/join":     s.join,
		"POST /v1/workspaces/{ws}/channels/{ch}/messages": s.postMessage,
		"POST /v1/workspaces/{ws}/presence":               s.heartbeat,
	}
	mux := http.NewServeMux()
	limit := RateLimit(s.State, s.RateMax, s.RateWindow)
	audit := Audit(s.State, s.Log)
	for pattern, h := range public {
		mux.Handle(pattern, Adapt(Chain(h, limit, audit), s.Log))
	}
	for pattern, h := range private {
		mux.Handle(pattern, Adapt(Chain(h, limit, Auth(s.Sessions), audit), s.Log))
	}
	return mux
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Email, Password, Device string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	locked := errorf(http.StatusTooManyRequests, "account temporarily locked")
	if err := s.Sessions.CheckLocked(r.Context(), in.Email); errors.Is(err, sessions.ErrLocked) {
		return locked
	} else if err != nil {
		return err
	}
	userID, err := s.Passwords.Verify(r.Context(), in.Email, in.Password)
	if err != nil {
		if errors.Is(s.Sessions.RecordFailure(r.Context(), in.Email), sessions.ErrLocked) {
			return locked
		}
		return errorf(http.StatusUnauthorized, "wrong e-mail or password")
	}
	sess, err := s.Sessions.Create(r.Context(), userID, in.Device, clientIP(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "relay_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.Expires})
	writeJSON(w, http.StatusOK, map[string]any{"user_id": userID, "expires": sess.Expires})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sessions.Logout(r.Context(), sessionFrom(r.Context()).ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "relay_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) passwordChanged(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Sessions.RevokeDevices(r.Context(), UserID(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"devices_signed_out": n})
	return nil
}

func (s *Server) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Slug, Name string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ws, err := s.Workspaces.Create(r.Context(), in.Slug, in.Name, UserID(r.Context()))
	switch {
	case errors.Is(err, workspace.ErrSlugTaken):
		return errorf(http.StatusConflict, "that address is taken")
	case errors.Is(err, workspace.ErrBadSlug):
		return errorf(http.StatusBadRequest, "%v", err)
	case err != nil:
		return err
	}
	if _, err := s.Channels.Create(r.Context(), ws.ID, "general", ws.OwnerID, false); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ws)
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string
		Until time.Time
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ws, by := r.PathValue("ws"), UserID(r.Context())
	var inv *workspace.Invite
	var err error
	if in.Until.IsZero() {
		inv, err = s.Workspaces.Invite(r.Context(), ws, by, in.Email)
	} else {
		inv, err = s.Workspaces.InviteUntil(r.Context(), ws, by, in.Email, in.Until)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inv)
	return nil
}

func (s *Server) redeem(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Email string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	user := UserID(r.Context())
	ws, err := s.Workspaces.Redeem(r.Context(), r.PathValue("code"), user, in.Email)
	if errors.Is(err, workspace.ErrInviteInvalid) {
		return errorf(http.StatusGone, "invite expired")
	}
	if err != nil {
		return err
	}
	st, err := s.Workspaces.Settings(r.Context(), ws.ID)
	if err != nil {
		return err
	}
	if err := s.Channels.Join(r.Context(), ws.ID, st.DefaultChannel, user, "member"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	ws, ch, user := r.PathValue("ws"), r.PathValue("ch"), UserID(r.Context())
	if b, err := s.Moderation.BanOf(r.Context(), ws, user); err != nil {
		return err
	} else if b != nil {
		return errorf(http.StatusForbidden, "banned: %s", b.Reason)
	}
	if err := s.Channels.Join(r.Context(), ws, ch, user, "member"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text     string
		Mentions []string
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ws, ch, user := r.PathValue("ws"), r.PathValue("ch"), UserID(r.Context())
	if ok, err := s.Channels.IsMember(r.Context(), ws, ch, user); err != nil {
		return err
	} else if !ok {
		return errorf(http.StatusForbidden, "not in channel")
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	ev := fanout.Event{Op: fanout.OpPosted, WorkspaceID: ws, ChannelID: ch, MessageID: "m" + hex.EncodeToString(id), AuthorID: user, Text: in.Text, Mentions: in.Mentions, At: time.Now().UTC()}
	if err := s.Fanout.Submit(ev); err != nil {
		return errorf(http.StatusServiceUnavailable, "busy, try again")
	}
	_, err := s.Stats.Client.KV.Namespaces.Values.Update(r.Context(), s.Stats.ID, "stats:last-message-at", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(s.Stats.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(ev.At.Unix(), 10)),
	})
	if err != nil {
		s.Log.Warn("stats", "err", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": ev.MessageID})
	return nil
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Status, Device string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	b := presence.Beat{UserID: UserID(r.Context()), Status: presence.Status(in.Status), Device: in.Device}
	if err := s.Presence.Heartbeat(r.Context(), r.PathValue("ws"), b); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) preview(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Previews.Get(r.Context(), r.URL.Query().Get("url"))
	if errors.Is(err, linkpreview.ErrUnavailable) {
		return errorf(http.StatusNotFound, "no preview")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
