package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bunting/internal/kvstore"
)

const (
	refreshLifetime  = 14 * 24 * time.Hour
	joinLinkLifetime = 20 * time.Minute
	smartStateTTL    = 600
)

// ErrReused is returned when a rotated refresh token is presented again.
var ErrReused = errors.New("auth: refresh token reused")

// RefreshToken is the long-lived credential of the clinician mobile app.
type RefreshToken struct {
	Family      string    `json:"family"`
	ClinicianID string    `json:"clinician_id"`
	IssuedAt    time.Time `json:"issued_at"`
}

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "refresh:" + hex.EncodeToString(sum[:])
}

// IssueRefresh mints a refresh token in a new or existing family.
func IssueRefresh(ctx context.Context, clinicianID, family string) (string, error) {
	if family == "" {
		family = randomID(12)
	}
	tok := randomID(32)
	rt := RefreshToken{Family: family, ClinicianID: clinicianID, IssuedAt: time.Now().UTC()}
	return tok, kvstore.PutJSON(ctx, tokenKey(tok), rt, refreshLifetime) // DEBATABLE kvsession
}

// Rotate exchanges a refresh token for a new one.
func Rotate(ctx context.Context, tok string) (string, RefreshToken, error) {
	var rt RefreshToken
	if err := kvstore.Load(ctx, tokenKey(tok), &rt); err != nil {
		return "", rt, err
	}
	revoked, err := kvstore.Get(ctx, "revoked-family:"+rt.Family)
	if err == nil && string(revoked) == "1" {
		return "", rt, ErrReused
	}
	if err := kvstore.Delete(ctx, tokenKey(tok)); err != nil { // EXPECT kvsession
		return "", rt, err
	}
	next, err := IssueRefresh(ctx, rt.ClinicianID, rt.Family)
	return next, rt, err
}

// RevokeFamily blocks every token of a family after reuse was detected.
func RevokeFamily(ctx context.Context, family string) error {
	return kvstore.Put(ctx, "revoked-family:"+family, []byte("1"), refreshLifetime) // EXPECT kvsession
}

// JoinLink lets a patient join a video visit without an account.
type JoinLink struct {
	AppointmentID string    `json:"appointment_id"`
	PatientID     string    `json:"patient_id"`
	CreatedAt     time.Time `json:"created_at"`
}

// CreateJoinLink mints the token sent by SMS before a visit.
func CreateJoinLink(ctx context.Context, appointmentID, patientID string) (string, error) {
	tok := randomID(24)
	jl := JoinLink{AppointmentID: appointmentID, PatientID: patientID, CreatedAt: time.Now().UTC()}
	return tok, kvstore.PutJSON(ctx, "joinlink:"+tok, jl, joinLinkLifetime)
}

// RedeemJoinLink returns the link and makes it unusable.
func RedeemJoinLink(ctx context.Context, tok string, out *JoinLink) error {
	if err := kvstore.Load(ctx, "joinlink:"+tok, out); err != nil {
		return err
	}
	return kvstore.Delete(ctx, "joinlink:"+tok) // EXPECT kvsession
}

// SmartLaunch is the state kept between the EHR launch and the callback.
type SmartLaunch struct {
	State    string `json:"state"`
	Issuer   string `json:"iss"`
	Launch   string `json:"launch"`
	Verifier string `json:"code_verifier"`
}

func statePair(key string, v any) (*kvstore.Pair, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &kvstore.Pair{Key: key, Value: string(raw)}, nil
}

// SaveLaunch stores the launch state under oauth-state:<state>.
func SaveLaunch(ctx context.Context, l SmartLaunch) error {
	p, err := statePair("oauth-state:"+l.State, l)
	if err != nil {
		return err
	}
	p.ExpirationTTL = smartStateTTL
	return kvstore.Default().WriteBatch(ctx, kvstore.Batch{p})
}

// ConsumeLaunch returns the launch for state and deletes it.
func ConsumeLaunch(ctx context.Context, state string) (SmartLaunch, error) {
	var l SmartLaunch
	st := kvstore.Default()
	api, rc := st.API()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: st.Namespace(), Key: "oauth-state:" + state})
	if err != nil {
		return l, fmt.Errorf("unknown launch state: %w", err)
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return l, err
	}
	_, err = api.DeleteWorkersKVEntry(ctx, rc, cloudflare.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: st.Namespace(),
		Key:         "oauth-state:" + state,
	})
	return l, err
}
