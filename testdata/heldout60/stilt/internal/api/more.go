package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"github.com/framewell/stilt/internal/jobs"
	"github.com/framewell/stilt/internal/mfa"
)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	_, tenant, err := s.member(w, r, "/v1/jobs", "read")
	if err != nil {
		return err
	}
	recent, err := s.Jobs.Dashboard(r.Context(), tenant)
	if err != nil {
		return err
	}
	ladder, err := s.Jobs.DefaultLadder(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": recent, "ladder": ladder})
	return nil
}

func (s *Server) remaster(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	_, tenant, err := s.member(w, r, "/v1/jobs", "write")
	if err != nil {
		return err
	}
	j, err := s.Jobs.Remaster(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, j)
	return nil
}

func (s *Server) revokeUpload(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	if _, _, err := s.member(w, r, "/v1/uploads", "write"); err != nil {
		return err
	}
	var in struct{ Token, Reason string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	claims, err := s.Uploads.Verify(r.Context(), in.Token)
	if err != nil {
		return fail(http.StatusBadRequest, "token not valid")
	}
	return s.Uploads.Revoke(r.Context(), claims, in.Reason)
}

func (s *Server) recovery(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	sess, uid, err := s.viewer(w, r)
	if err != nil {
		return err
	}
	var in struct{ Code string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := s.TOTP.RedeemRecovery(r.Context(), uid, in.Code); errors.Is(err, mfa.ErrInvalidCode) {
		return fail(http.StatusUnauthorized, "invalid recovery code")
	} else if err != nil {
		return err
	}
	sess.ID = ""
	sess.Values["mfa"] = true
	return sess.Save(r, w)
}

func (s *Server) watchStart(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	var in struct{ Viewer, Video, Device string }
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ws, err := s.Watch.Start(r.Context(), in.Viewer, in.Video, in.Device)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ws)
	return nil
}

func (s *Server) watchEnd(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	return s.Watch.End(r.Context(), r.PathValue("id"))
}

func (s *Server) purgeLog(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	if _, _, err := s.viewer(w, r); err != nil {
		return err
	}
	zone := r.PathValue("zone")
	if r.URL.Query().Has("export") {
		w.Header().Set("Content-Type", "application/x-ndjson")
		return s.Purger.Log.Export(r.Context(), zone, w)
	}
	rows, next, err := s.Purger.Log.Page(r.Context(), zone, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": rows, "cursor": next})
	return nil
}

// hookBody returns the body of a vendor webhook after checking its shared
// secret.
func (s *Server) hookBody(r *http.Request) ([]byte, error) {
	if r.Header.Get("X-Hook-Secret") != s.HookSecret {
		return nil, fail(http.StatusUnauthorized, "bad hook secret")
	}
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, 4<<20))
}

// encoderHook receives the transcoding vendor's callbacks: a single
// progress report, or a job snapshot with the events since the last one.
func (s *Server) encoderHook(w http.ResponseWriter, r *http.Request, _ trace.Span) error {
	body, err := s.hookBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind     string         `json:"kind"`
		Tenant   string         `json:"tenant"`
		JobID    string         `json:"job_id"`
		Report   jobs.Progress  `json:"report"`
		Snapshot *jobs.Snapshot `json:"snapshot"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if in.Kind == "snapshot" && in.Snapshot != nil {
		return s.Jobs.ApplySnapshot(r.Context(), *in.Snapshot)
	}
	return s.Jobs.ReportProgress(r.Context(), in.Tenant, in.JobID, in.Report)
}

// ingestHook is called by the ingest edge when an upload finished.
func (s *Server) ingestHook(w http.ResponseWriter, r *http.Request, span trace.Span) error {
	body, err := s.hookBody(r)
	if err != nil {
		return err
	}
	var in struct {
		JTI     string `json:"jti"`
		Tenant  string `json:"tenant"`
		Seconds int    `json:"duration_s"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if err := s.Uploads.Complete(r.Context(), in.JTI); err != nil {
		return err
	}
	if err := s.Jobs.ChargeSeconds(r.Context(), in.Tenant, in.Seconds); err != nil {
		span.RecordError(err)
	}
	return nil
}
