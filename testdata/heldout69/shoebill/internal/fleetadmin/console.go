// Package fleetadmin backs the operator console: console sign-in sessions,
// device decommissioning, firmware release publication and bulk imports.
package fleetadmin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

const (
	pubsub        = "fleet-pubsub"
	consoleIdle   = 8 * time.Hour
	revocationTTL = 31 * 24 * time.Hour
	lastLoginKey  = "console:last-login"
	identityAppID = "identity"
)

// ConsoleSession is an operator's signed-in session.
type ConsoleSession struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Tenant    string    `json:"tenant"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Console holds the console handlers.
type Console struct {
	KV   *kvstore.Store
	Dapr dapr.Client
	Log  *slog.Logger
}

// Register wires the console handlers.
func (c *Console) Register(s common.Service) error {
	return errors.Join(
		s.AddServiceInvocationHandler("console/login", c.Login),
		s.AddServiceInvocationHandler("console/touch", c.Touch),
		s.AddServiceInvocationHandler("console/logout", c.Logout),
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "device.decommissioned", Route: "/console/decommissioned"}, c.OnDecommissioned),
	)
}

// Login verifies the operator with the identity service and opens a session.
func (c *Console) Login(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	out, err := c.Dapr.InvokeMethodWithContent(ctx, identityAppID, "verify", http.MethodPost, &dapr.DataContent{
		ContentType: in.ContentType,
		Data:        in.Data,
	})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	var who struct {
		Operator string   `json:"operator"`
		Tenant   string   `json:"tenant"`
		Roles    []string `json:"roles"`
	}
	if err := json.Unmarshal(out, &who); err != nil || who.Operator == "" {
		return nil, fmt.Errorf("%d: not signed in", http.StatusUnauthorized)
	}
	now := time.Now().UTC()
	sess := ConsoleSession{ID: fleet.NewID(), Operator: who.Operator, Tenant: who.Tenant, Roles: who.Roles, CreatedAt: now, LastSeen: now}
	raw, _ := json.Marshal(sess)
	if err := c.KV.PutTTL(ctx, fleet.ConsoleSessionKey(sess.ID), raw, consoleIdle); err != nil {
		return nil, err
	}
	seen, _ := json.Marshal(map[string]any{"operator": who.Operator, "at": now})
	if err := c.KV.Put(ctx, lastLoginKey, seen); err != nil { // EXPECT kvhotkey
		c.Log.Warn("last login marker", "err", err)
	}
	resp, _ := json.Marshal(map[string]string{"session": sess.ID})
	return &common.Content{Data: resp, ContentType: "application/json"}, nil
}

func sessionID(in *common.InvocationEvent) string {
	q, _ := url.ParseQuery(in.QueryString)
	return q.Get("session")
}

// Touch is called by the console on every page load to keep the session
// alive while the operator is active.
func (c *Console) Touch(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	key := fleet.ConsoleSessionKey(sessionID(in))
	raw, err := c.KV.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("%d: session expired", http.StatusUnauthorized)
	}
	var sess ConsoleSession
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	sess.LastSeen = time.Now().UTC()
	raw, _ = json.Marshal(sess)
	if err := c.KV.PutTTL(ctx, key, raw, consoleIdle); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &common.Content{Data: raw, ContentType: "application/json"}, nil
}

// Logout ends a console session.
func (c *Console) Logout(ctx context.Context, in *common.InvocationEvent) (*common.Content, error) {
	if err := c.KV.Delete(ctx, fleet.ConsoleSessionKey(sessionID(in))); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &common.Content{ContentType: "text/plain", Data: []byte("bye")}, nil
}

// OnDecommissioned revokes the token of a device that left the fleet.
func (c *Console) OnDecommissioned(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var ev struct {
		DeviceID string `json:"device_id"`
		TokenID  string `json:"token_id"`
		Reason   string `json:"reason"`
	}
	if err := e.Struct(&ev); err != nil {
		return false, nil
	}
	rec, _ := json.Marshal(map[string]any{"device_id": ev.DeviceID, "reason": ev.Reason, "at": time.Now().UTC()})
	if err := c.KV.PutTTL(ctx, fleet.RevokedKey(ev.TokenID), rec, revocationTTL); err != nil { // EXPECT kvsession
		return true, err
	}
	if err := c.KV.Delete(ctx, fleet.DeviceTokenKey(ev.TokenID)); err != nil { // EXPECT kvsession
		return true, err
	}
	_ = c.KV.Delete(ctx, fleet.CommandQueueKey(ev.DeviceID))
	_ = c.KV.Delete(ctx, fleet.ShadowKey(ev.DeviceID))
	return false, nil
}
