// Package pairing issues pairing codes to installers and turns a redeemed
// code into a device token. Its handlers are Dapr service-invocation
// handlers called by the installer API and by the edge Worker's fallback path.
package pairing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

const (
	codeLifetime  = 15 * time.Minute
	tokenLifetime = 30 * 24 * time.Hour
	maxAttempts   = 5
	pubsub        = "fleet-pubsub"
)

// StatusError carries an HTTP status back through the Dapr sidecar.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return strconv.Itoa(e.Code) + " " + e.Msg }

// Service groups the pairing handlers.
type Service struct {
	KV   *kvstore.Store
	Dapr dapr.Client
	Log  *slog.Logger
}

// Register adds the handlers to a Dapr service.
func (p *Service) Register(s common.Service) error {
	return errors.Join(
		s.AddServiceInvocationHandler("pairing/codes", p.CreateCode),
		s.AddServiceInvocationHandler("pairing/redeem", p.Redeem),
		s.AddServiceInvocationHandler("pairing/name", p.ClaimName),
		s.AddServiceInvocationHandler("tokens/rotate", p.RotateToken),
	)
}

func jsonContent(v any) (*common.Content, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &common.Content{Data: b, ContentType: "application/json"}, nil
}

// CreateCode mints a pairing code for a tenant and device model.
func (p *Service) CreateCode(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	var req struct {
		Tenant string `json:"tenant"`
		Model  string `json:"model"`
		User   string `json:"user"`
	}
	if err := json.Unmarshal(in.Data, &req); err != nil {
		return nil, &StatusError{http.StatusBadRequest, "malformed request"}
	}
	pc := fleet.PairingCode{
		Code:      fleet.NewPairingCode(),
		Tenant:    req.Tenant,
		Model:     req.Model,
		CreatedBy: req.User,
		CreatedAt: time.Now().UTC(),
	}
	raw, _ := json.Marshal(pc)
	if err := p.KV.PutTTL(ctx, fleet.PairingKey(pc.Code), raw, codeLifetime); err != nil {
		return nil, err
	}
	return jsonContent(map[string]any{"code": pc.Code, "expires_in": int(codeLifetime.Seconds())})
}

type redeemRequest struct {
	Code     string `json:"code"`
	DeviceID string `json:"device_id"`
	Serial   string `json:"serial"`
}

// Redeem exchanges a pairing code for a device token.
func (p *Service) Redeem(ctx context.Context, in *common.InvocationEvent) (out *common.Content, err error) {
	var req redeemRequest
	if err := json.Unmarshal(in.Data, &req); err != nil || req.Code == "" {
		return nil, &StatusError{http.StatusBadRequest, "code required"}
	}
	raw, err := p.KV.Get(ctx, fleet.PairingKey(req.Code))
	if errors.Is(err, kvstore.ErrNotFound) {
		p.countFailure(ctx, req.Code)
		return nil, &StatusError{http.StatusNotFound, "unknown or expired code"}
	}
	if err != nil {
		return nil, err
	}
	var pc fleet.PairingCode
	if err := json.Unmarshal(raw, &pc); err != nil {
		return nil, fmt.Errorf("pairing record: %w", err)
	}

	tok := fleet.DeviceToken{
		ID:       fleet.NewID(),
		DeviceID: req.DeviceID,
		Tenant:   pc.Tenant,
		IssuedAt: time.Now().UTC(),
		Expires:  time.Now().UTC().Add(tokenLifetime),
	}
	tokRaw, _ := json.Marshal(tok)
	if err := p.KV.PutTTL(ctx, fleet.DeviceTokenKey(tok.ID), tokRaw, tokenLifetime); err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			p.addToTenant(ctx, pc.Tenant, req.DeviceID)
		}
	}()
	if err := p.KV.Delete(ctx, fleet.PairingKey(req.Code)); err != nil { // EXPECT kvsession
		p.Log.Warn("pairing code not consumed", "code", req.Code, "err", err)
	}
	if err := p.Dapr.PublishEvent(ctx, pubsub, "device.paired", map[string]string{
		"device_id": req.DeviceID, "tenant": pc.Tenant, "model": pc.Model,
	}); err != nil {
		p.Log.Error("publish device.paired", "err", err)
	}
	return jsonContent(map[string]any{"token": tok.ID, "expires": tok.Expires})
}

// countFailure records a failed redemption so that brute force shows up on
// the console.
func (p *Service) countFailure(ctx context.Context, code string) {
	key := fleet.PairingAttemptsKey(code)
	n := 0
	if raw, ok, err := p.KV.Lookup(ctx, key); err == nil && ok {
		n, _ = strconv.Atoi(string(raw))
	}
	if n+1 >= maxAttempts {
		p.Log.Warn("pairing code brute force suspected", "code", code, "attempts", n+1)
	}
	_ = p.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), codeLifetime) // EXPECT kvcounter|kvrace
}

// addToTenant appends the device to the tenant's device list.
func (p *Service) addToTenant(ctx context.Context, tenant, deviceID string) {
	key := fleet.TenantDevicesKey(tenant)
	var ids []string
	if raw, ok, err := p.KV.Lookup(ctx, key); err != nil {
		p.Log.Error("tenant devices", "err", err)
		return
	} else if ok {
		_ = json.Unmarshal(raw, &ids)
	}
	ids = append(ids, deviceID)
	raw, _ := json.Marshal(ids)
	if err := p.KV.Put(ctx, key, raw); err != nil { // EXPECT kvrace
		p.Log.Error("tenant devices", "err", err)
	}
}

// ClaimName reserves a friendly name for a device within its tenant.
func (p *Service) ClaimName(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	var req struct {
		Tenant   string `json:"tenant"`
		Name     string `json:"name"`
		DeviceID string `json:"device_id"`
	}
	if err := json.Unmarshal(in.Data, &req); err != nil || req.Name == "" {
		return nil, &StatusError{http.StatusBadRequest, "name required"}
	}
	key := fleet.DeviceNameKey(req.Tenant, req.Name)
	if _, taken, err := p.KV.Lookup(ctx, key); err != nil {
		return nil, err
	} else if taken {
		return nil, &StatusError{http.StatusConflict, "name already in use"}
	}
	if err := p.KV.Put(ctx, key, []byte(req.DeviceID)); err != nil { // EXPECT kvrace
		return nil, err
	}
	return jsonContent(map[string]string{"name": req.Name, "device_id": req.DeviceID})
}

// RotateToken replaces a device's token with a fresh one.
func (p *Service) RotateToken(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	oldID := in.QueryString
	if v, err := urlQueryValue(in.QueryString, "token"); err == nil && v != "" {
		oldID = v
	}
	raw, err := p.KV.Get(ctx, fleet.DeviceTokenKey(oldID))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, &StatusError{http.StatusUnauthorized, "unknown token"}
		}
		return nil, err
	}
	var old fleet.DeviceToken
	if err := json.Unmarshal(raw, &old); err != nil {
		return nil, err
	}
	fresh := old
	fresh.ID = fleet.NewID()
	fresh.IssuedAt = time.Now().UTC()
	fresh.Expires = fresh.IssuedAt.Add(tokenLifetime)
	freshRaw, _ := json.Marshal(fresh)
	if err := p.KV.PutTTL(ctx, fleet.DeviceTokenKey(fresh.ID), freshRaw, tokenLifetime); err != nil {
		return nil, err
	}
	if err := p.KV.Delete(ctx, fleet.DeviceTokenKey(old.ID)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return jsonContent(map[string]any{"token": fresh.ID, "expires": fresh.Expires})
}
