// Package tokens implements dunlin.v1.TokenService: personal access tokens
// for the CLI and CI, and the OAuth device flow (RFC 8628) behind
// `dunlin login`.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/gen/dunlinv1"
	"github.com/dunlin-dev/dunlin/internal/gen/dunlinv1/dunlinv1connect"
	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

const (
	defaultPATLifetime = 90 * 24 * time.Hour
	maxPATLifetime     = 366 * 24 * time.Hour
	cliTokenLifetime   = 30 * 24 * time.Hour
	deviceCodeLifetime = 15 * time.Minute
	devicePollInterval = 5 * time.Second
)

// Service implements dunlinv1connect.TokenServiceHandler.
type Service struct {
	kv              *kvstore.Namespace
	verificationURI string
}

var _ dunlinv1connect.TokenServiceHandler = (*Service)(nil)

func NewService(kv *kvstore.Namespace, verificationURI string) *Service {
	return &Service{kv: kv, verificationURI: verificationURI}
}

// patRecord is stored under pat:<sha256 of the token>; the token itself is
// never stored.
type patRecord struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// deviceAuth is stored under devauth:<device code> while the user confirms
// a CLI login in the browser.
type deviceAuth struct {
	ClientID  string    `json:"client_id"`
	UserCode  string    `json:"user_code"`
	Approved  bool      `json:"approved"`
	UserID    string    `json:"user_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

func patKey(hash string) string      { return "pat:" + hash }
func patIDKey(id string) string      { return "patid:" + id }
func deviceKey(code string) string   { return "devauth:" + code }
func userCodeKey(code string) string { return "devauth-user:" + code }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func unavailable(err error) error { return connect.NewError(connect.CodeUnavailable, err) }

// mint creates a token for user that expires at exp and stores its record.
func (s *Service) mint(ctx context.Context, userID, name string, exp time.Time) (*dunlinv1.CreateTokenResponse, error) {
	tok := "dlp_" + randomHex(20)
	sum := sha256.Sum256([]byte(tok))
	rec := patRecord{ID: randomHex(6), UserID: userID, Name: name, Hash: hex.EncodeToString(sum[:]), ExpiresAt: exp.UTC()}
	body, _ := json.Marshal(rec)
	if err := s.kv.PutTTL(ctx, patKey(rec.Hash), body, time.Until(exp)); err != nil { // EXPECT kvttl
		return nil, err
	}
	if err := s.kv.PutCached(ctx, patIDKey(rec.ID), []byte(rec.Hash), time.Until(exp)); err != nil {
		return nil, err
	}
	return &dunlinv1.CreateTokenResponse{TokenId: rec.ID, Token: tok, ExpiresAt: exp.Unix()}, nil
}

func (s *Service) CreateToken(ctx context.Context, req *connect.Request[dunlinv1.CreateTokenRequest]) (*connect.Response[dunlinv1.CreateTokenResponse], error) {
	exp := time.Now().Add(defaultPATLifetime)
	if at := req.Msg.GetExpiresAt(); at != 0 {
		exp = time.Unix(at, 0)
	}
	if req.Msg.UserId == "" || !exp.After(time.Now()) || time.Until(exp) > maxPATLifetime {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("user_id is required and expires_at must be within a year"))
	}
	out, err := s.mint(ctx, req.Msg.UserId, req.Msg.Name, exp)
	if err != nil {
		return nil, unavailable(err)
	}
	return connect.NewResponse(out), nil
}

// lookup resolves a token id to its record.
func (s *Service) lookup(ctx context.Context, id string) (patRecord, error) {
	var rec patRecord
	hash, err := s.kv.Get(ctx, patIDKey(id))
	if err != nil {
		return rec, err
	}
	raw, err := s.kv.Get(ctx, patKey(string(hash)))
	if err != nil {
		return rec, err
	}
	return rec, json.Unmarshal(raw, &rec)
}

func (s *Service) RevokeToken(ctx context.Context, req *connect.Request[dunlinv1.RevokeTokenRequest]) (*connect.Response[dunlinv1.RevokeTokenResponse], error) {
	rec, err := s.lookup(ctx, req.Msg.TokenId)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("token %s not found", req.Msg.TokenId))
	} else if err != nil {
		return nil, unavailable(err)
	}
	if err := s.kv.DeleteMany(ctx, []string{patKey(rec.Hash), patIDKey(rec.ID)}); err != nil { // EXPECT kvsession
		return nil, unavailable(err)
	}
	return connect.NewResponse(&dunlinv1.RevokeTokenResponse{}), nil
}

// RotateToken issues a replacement with the same name and retires the old
// token.
func (s *Service) RotateToken(ctx context.Context, req *connect.Request[dunlinv1.RotateTokenRequest]) (*connect.Response[dunlinv1.CreateTokenResponse], error) {
	old, err := s.lookup(ctx, req.Msg.TokenId)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("token %s not found", req.Msg.TokenId))
	} else if err != nil {
		return nil, unavailable(err)
	}
	exp := old.ExpiresAt
	if time.Until(exp) < 24*time.Hour {
		exp = time.Now().Add(defaultPATLifetime)
	}
	out, err := s.mint(ctx, old.UserID, old.Name, exp)
	if err != nil {
		return nil, unavailable(err)
	}
	if err := s.kv.Delete(ctx, patKey(old.Hash)); err != nil { // EXPECT kvsession
		return nil, unavailable(err)
	}
	return connect.NewResponse(out), nil
}

func (s *Service) StartDeviceAuth(ctx context.Context, req *connect.Request[dunlinv1.StartDeviceAuthRequest]) (*connect.Response[dunlinv1.StartDeviceAuthResponse], error) {
	deviceCode, userCode := randomHex(24), randomHex(2)+"-"+randomHex(2)
	body, _ := json.Marshal(deviceAuth{ClientID: req.Msg.ClientId, UserCode: userCode, ExpiresAt: time.Now().Add(deviceCodeLifetime).UTC()})
	ttl := int(deviceCodeLifetime.Seconds())
	err := s.kv.PutMany(ctx, []*cloudflare.WorkersKVPair{
		{Key: deviceKey(deviceCode), Value: string(body), ExpirationTTL: ttl},
		{Key: userCodeKey(userCode), Value: deviceCode, ExpirationTTL: ttl},
	})
	if err != nil {
		return nil, unavailable(err)
	}
	return connect.NewResponse(&dunlinv1.StartDeviceAuthResponse{
		DeviceCode:      deviceCode,
		UserCode:        userCode,
		VerificationUri: s.verificationURI,
		ExpiresIn:       int32(deviceCodeLifetime.Seconds()),
		Interval:        int32(devicePollInterval.Seconds()),
	}), nil
}

// ApproveDevice is called by the dashboard once the signed-in user has
// typed the user code.
func (s *Service) ApproveDevice(ctx context.Context, req *connect.Request[dunlinv1.ApproveDeviceRequest]) (*connect.Response[dunlinv1.ApproveDeviceResponse], error) {
	dc, err := s.kv.Get(ctx, userCodeKey(req.Msg.UserCode))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("unknown or expired code"))
	} else if err != nil {
		return nil, unavailable(err)
	}
	raw, err := s.kv.Get(ctx, deviceKey(string(dc)))
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("unknown or expired code"))
	}
	var grant deviceAuth
	if err := json.Unmarshal(raw, &grant); err != nil || grant.Approved {
		return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("code already used"))
	}
	grant.Approved, grant.UserID = true, req.Msg.UserId
	body, _ := json.Marshal(grant)
	if err := s.kv.PutCached(ctx, deviceKey(string(dc)), body, time.Until(grant.ExpiresAt)); err != nil { // EXPECT kvsession|kvrace
		return nil, unavailable(err)
	}
	return connect.NewResponse(&dunlinv1.ApproveDeviceResponse{}), nil
}

// PollDeviceAuth is called by the CLI every Interval seconds; an approved
// grant is exchanged for a token once.
func (s *Service) PollDeviceAuth(ctx context.Context, req *connect.Request[dunlinv1.PollDeviceAuthRequest]) (*connect.Response[dunlinv1.PollDeviceAuthResponse], error) {
	raw, err := s.kv.Get(ctx, deviceKey(req.Msg.DeviceCode))
	if errors.Is(err, kvstore.ErrNotFound) {
		return connect.NewResponse(&dunlinv1.PollDeviceAuthResponse{Status: "expired_token"}), nil
	} else if err != nil {
		return nil, unavailable(err)
	}
	var grant deviceAuth
	if err := json.Unmarshal(raw, &grant); err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	if !grant.Approved {
		return connect.NewResponse(&dunlinv1.PollDeviceAuthResponse{Status: "authorization_pending"}), nil
	}
	out, err := s.mint(ctx, grant.UserID, "dunlin CLI ("+grant.ClientID+")", time.Now().Add(cliTokenLifetime))
	if err != nil {
		return nil, unavailable(err)
	}
	if err := s.kv.DeleteMany(ctx, []string{deviceKey(req.Msg.DeviceCode), userCodeKey(grant.UserCode)}); err != nil { // EXPECT kvsession
		return nil, unavailable(err)
	}
	return connect.NewResponse(&dunlinv1.PollDeviceAuthResponse{Status: "approved", Token: out.Token}), nil
}
