// Package visit runs video visits: it issues room tokens through
// clinic.v1.VideoService and serves the in-visit WebSocket that carries chat,
// device state and patient-reported vitals next to the media session.
package visit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/meridiancare/knot/internal/clinicv1"
	"github.com/meridiancare/knot/internal/clinicv1/clinicv1connect"
	"github.com/meridiancare/knot/internal/kvstore"
)

const (
	// roomTokenGrace keeps tokens usable for a visit that overruns.
	roomTokenGrace = 15 * time.Minute
	visitEndedTTL  = 6 * time.Hour
)

var roomRoles = []string{"patient", "clinician", "interpreter", "caregiver"}

// roomToken is stored under roomtok:<token>.
type roomToken struct {
	VisitID       string    `json:"visit_id"`
	Role          string    `json:"role"`
	ParticipantID string    `json:"participant_id"`
	IssuedAt      time.Time `json:"issued_at"`
}

type visitRow struct {
	ID          string
	PatientID   string
	ClinicianID string
	Start, End  time.Time
}

// VideoServer implements clinicv1connect.VideoServiceHandler.
type VideoServer struct {
	Rooms *kvstore.Namespace
	DB    *sql.DB
}

var _ clinicv1connect.VideoServiceHandler = (*VideoServer)(nil)

func (s *VideoServer) IssueRoomToken(ctx context.Context, req *connect.Request[v1.IssueRoomTokenRequest]) (*connect.Response[v1.IssueRoomTokenResponse], error) {
	role := req.Msg.Role
	if !slices.Contains(roomRoles, role) {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("unknown role %q", role))
	}
	visit, err := s.loadVisit(ctx, req.Msg.VisitId)
	if err != nil {
		return nil, err
	}
	participant := visit.PatientID
	if role == "clinician" {
		participant = visit.ClinicianID
	}

	token := randomToken()
	expires := visit.End.Add(roomTokenGrace)
	rec := roomToken{VisitID: visit.ID, Role: role, ParticipantID: participant, IssuedAt: time.Now().UTC()}
	if err := s.Rooms.PutJSON(ctx, "roomtok:"+token, rec,
		time.Until(expires)); err != nil { // EXPECT kvttl
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	if _, err := s.DB.ExecContext(ctx,
		`INSERT INTO room_tokens (token, visit_id, role) VALUES ($1, $2, $3)`, token, visit.ID, role); err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return connect.NewResponse(&v1.IssueRoomTokenResponse{Token: token, ExpiresAt: expires}), nil
}

func (s *VideoServer) EndVisit(ctx context.Context, req *connect.Request[v1.EndVisitRequest]) (*connect.Response[v1.EndVisitResponse], error) {
	visitID := req.Msg.VisitId
	var tokens []string
	rows, err := s.DB.QueryContext(ctx,
		`UPDATE room_tokens SET revoked_at = now() WHERE visit_id = $1 AND revoked_at IS NULL RETURNING token`, visitID)
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var t string
			if err = rows.Scan(&t); err != nil {
				break
			}
			tokens = append(tokens, t)
		}
	}
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}

	var errs []error
	for _, t := range tokens {
		if err := s.Rooms.Delete(ctx, "roomtok:"+t); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	ended := map[string]any{"visit_id": visitID, "ended_at": time.Now().UTC()}
	if err := s.Rooms.PutJSON(ctx, "visit-ended:"+visitID, ended, visitEndedTTL); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		slog.ErrorContext(ctx, "end visit cleanup incomplete", "visit", visitID, "err", err)
	}
	return connect.NewResponse(&v1.EndVisitResponse{RevokedTokens: int32(len(tokens))}), nil
}

func (s *VideoServer) loadVisit(ctx context.Context, id string) (visitRow, error) {
	v := visitRow{ID: id}
	err := s.DB.QueryRowContext(ctx,
		`SELECT patient_id, clinician_id, starts_at, ends_at FROM visits WHERE id = $1`, id).
		Scan(&v.PatientID, &v.ClinicianID, &v.Start, &v.End)
	if errors.Is(err, sql.ErrNoRows) {
		return v, connect.NewError(connect.CodeNotFound, fmt.Errorf("visit %s not found", id))
	}
	if err != nil {
		return v, connect.NewError(connect.CodeInternal, err)
	}
	return v, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
