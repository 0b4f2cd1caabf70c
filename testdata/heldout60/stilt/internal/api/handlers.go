package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/sessions"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/framewell/stilt/internal/jobs"
	"github.com/framewell/stilt/internal/kvstore"
	"github.com/framewell/stilt/internal/mfa"
)

func (s *Server) login(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	uid, err := s.Users.Authenticate(r.Context(), in.Email, in.Password)
	if err != nil {
		return fail(http.StatusUnauthorized, "invalid credentials")
	}
	span.SetAttributes(attribute.String("user.id", uid))

	sess, err := s.Sessions.New(r, sessionCookie)
	if err != nil && sess == nil {
		return err
	}
	sess.ID = "" // never reuse an ID presented before sign-in
	sess.Values = map[any]any{"uid": uid, "email": in.Email, "mfa": false}
	if err := sess.Save(r, w); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"uid": uid, "mfa_required": true})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	sess, err := s.Sessions.Get(r, sessionCookie)
	if err != nil {
		return err
	}
	sess.Options.MaxAge = -1
	if err := sess.Save(r, w); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// grantStepUp opens the short-lived session that sensitive actions (key
// rotation, role changes) require.
func (s *Server) grantStepUp(w http.ResponseWriter, r *http.Request, uid string) error {
	st, err := s.Sessions.Get(r, stepUpCookie)
	if err != nil && st == nil {
		return err
	}
	st.ID = ""
	st.Options = &sessions.Options{Path: "/v1/admin", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
	st.Options.MaxAge = stepUpSeconds // EXPECT kvttl
	st.Values["uid"] = uid
	return st.Save(r, w)
}

func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	sess, err := s.Sessions.Get(r, sessionCookie)
	if err != nil {
		return err
	}
	uid, _ := sess.Values["uid"].(string)
	if uid == "" {
		return fail(http.StatusUnauthorized, "sign in first")
	}
	var in struct {
		Code   string `json:"code"`
		StepUp bool   `json:"step_up"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if locked, err := s.TOTP.Locked(ctx, uid); err != nil {
		return err
	} else if locked {
		return fail(http.StatusTooManyRequests, "too many attempts")
	}

	switch err := s.TOTP.Verify(ctx, uid, in.Code); {
	case errors.Is(err, mfa.ErrInvalidCode), errors.Is(err, mfa.ErrReplayed):
		failures, _ := sess.Values["otp_failures"].(float64)
		if err := s.TOTP.RecordFailure(ctx, uid, int(failures)); err != nil {
			span.RecordError(err)
		}
		sess.Values["otp_failures"] = failures + 1
		if err := sess.Save(r, w); err != nil { // EXPECT kvsession
			return err
		}
		return fail(http.StatusUnauthorized, "invalid code")
	case err != nil:
		return err
	}

	// Elevate into a new session ID; the old one keeps mfa=false until it
	// expires.
	delete(sess.Values, "otp_failures")
	sess.ID = ""
	sess.Values["mfa"] = true
	if err := sess.Save(r, w); err != nil {
		return err
	}
	if in.StepUp {
		if err := s.grantStepUp(w, r, uid); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// passkeyBegin starts a WebAuthn ceremony ("register" or "login") for the
// signed-in user.
func (s *Server) passkeyBegin(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	sess, uid, err := s.viewer(w, r)
	if err != nil {
		return err
	}
	email, _ := sess.Values["email"].(string)
	var options any
	switch r.PathValue("ceremony") {
	case "register":
		options, err = s.Passkeys.BeginRegistration(r.Context(), uid, email)
	case "login":
		options, err = s.Passkeys.BeginLogin(r.Context(), uid, email)
	default:
		return fail(http.StatusNotFound, "unknown ceremony")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, options)
	return nil
}

func (s *Server) passkeyFinish(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	sess, uid, err := s.viewer(w, r)
	if err != nil {
		return err
	}
	email, _ := sess.Values["email"].(string)
	switch r.PathValue("ceremony") {
	case "register":
		err = s.Passkeys.FinishRegistration(r.Context(), uid, email, r)
	case "login":
		_, err = s.Passkeys.FinishLogin(r.Context(), uid, email, r)
	default:
		return fail(http.StatusNotFound, "unknown ceremony")
	}
	if errors.Is(err, mfa.ErrNoCeremony) {
		return fail(http.StatusConflict, "ceremony expired, start again")
	}
	if err != nil {
		return fail(http.StatusUnauthorized, "passkey not accepted")
	}
	sess.ID = ""
	sess.Values["mfa"] = true
	if err := sess.Save(r, w); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	uid, tenant, err := s.member(w, r, "/v1/admin/grants", "write")
	if err != nil {
		return err
	}
	if st, err := s.Sessions.Get(r, stepUpCookie); err != nil || st.Values["uid"] != uid {
		return fail(http.StatusForbidden, "step-up required")
	}
	var in struct {
		User  string   `json:"user"`
		Roles []string `json:"roles"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := s.Grants.Assign(in.User, tenant, in.Roles); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	_, tenant, err := s.member(w, r, "/v1/jobs", "write")
	if err != nil {
		return err
	}
	var in struct {
		Slug   string `json:"slug"`
		Source string `json:"source"`
		Preset string `json:"preset"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	j, err := s.Jobs.Create(ctx, tenant, in.Slug, in.Source, in.Preset)
	if errors.Is(err, jobs.ErrSlugTaken) {
		return fail(http.StatusConflict, "slug already in use")
	}
	if err != nil {
		return err
	}
	span.SetAttributes(attribute.String("job.id", j.ID))
	order, _ := json.Marshal(map[string]string{"external_id": j.Tenant + ":" + j.ID, "input": j.Source, "preset": j.Preset})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.EncoderURL+"/v2/jobs", bytes.NewReader(order))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.Encoder.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("encoder: %s", res.Status)
	}

	stamp := fmt.Sprintf(`{"job":%q,"tenant":%q,"at":%d}`, j.ID, j.Tenant, time.Now().Unix())
	if err := s.KV.Put(ctx, "stats:last-submit", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
		span.RecordError(err)
	}
	writeJSON(w, http.StatusCreated, j)
	return nil
}

func (s *Server) issueUpload(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	_, tenant, err := s.member(w, r, "/v1/uploads", "write")
	if err != nil {
		return err
	}
	var in struct {
		VideoID  string `json:"video_id"`
		MaxBytes int64  `json:"max_bytes"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	tok, err := s.Uploads.Issue(ctx, tenant, in.VideoID, in.MaxBytes)
	if err != nil {
		return err
	}

	s.mu.Lock()
	s.uploads[tenant]++
	n := s.uploads[tenant]
	s.mu.Unlock()
	if err := s.KV.Put(ctx, "uploads:count:"+tenant, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
		span.RecordError(err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": tok})
	return nil
}

// preview serves the thumbnail strip manifest of a video. While a live
// encode runs, new thumbnails appear every few seconds.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	ctx := r.Context()
	video := r.PathValue("video")
	tenant := r.URL.Query().Get("tenant")
	key := "preview:" + tenant + ":" + video

	body, err := s.KV.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		j, err := s.Jobs.Get(ctx, tenant, video)
		if err != nil {
			return err
		}
		thumbs := make([]string, 0, len(j.Renditions))
		for _, rend := range j.Renditions {
			thumbs = append(thumbs, fmt.Sprintf("https://img.framewell.tv/%s/%s/%s/strip.jpg", tenant, video, rend))
		}
		if body, err = json.Marshal(map[string]any{"video": video, "state": j.State, "thumbs": thumbs}); err != nil {
			return err
		}
		if err := s.KV.Put(ctx, key, body, 30*time.Second); err != nil { // EXPECT kvttl
			return err
		}
	} else if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

// watchBeats accepts the heartbeats a player buffered while it was offline.
func (s *Server) watchBeats(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	var in struct {
		Beats []struct {
			Pos float64 `json:"pos"`
			At  int64   `json:"at"`
		} `json:"beats"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	span.SetAttributes(attribute.Int("watch.beats", len(in.Beats)))
	for _, b := range in.Beats {
		if err := s.Watch.Heartbeat(r.Context(), id, b.Pos); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) purge(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	_, uid, err := s.viewer(w, r)
	if err != nil {
		return err
	}
	var in struct {
		Zone string   `json:"zone"`
		URLs []string `json:"urls"`
		Tags []string `json:"tags"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.Purger.Purge(ctx, in.Zone, uid, in.URLs, in.Tags); err != nil {
		return err
	}
	last := in.Zone + " " + time.Now().UTC().Format(time.RFC3339)
	if err := s.KV.Put(ctx, "cdn:last-purge", []byte(last), 0); err != nil { // EXPECT kvhotkey
		span.RecordError(err)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
