package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/beacon/internal/legacy/tenantsync"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/tenant"
)

// controlPlane is the client of the accounts service that owns tenants,
// console users and billing.
type controlPlane struct {
	base, token string
	http        *http.Client
}

func call[T any](ctx context.Context, c *controlPlane, method, path string, in any) (T, error) {
	var out T
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return out, session.ErrBadCredentials
	case res.StatusCode >= 300:
		return out, fmt.Errorf("controlplane: %s %s: %s", method, path, res.Status)
	case res.StatusCode == http.StatusNoContent:
		return out, nil
	}
	return out, json.NewDecoder(res.Body).Decode(&out)
}

func (c *controlPlane) Authenticate(ctx context.Context, email, password string) (session.User, error) {
	return call[session.User](ctx, c, http.MethodPost, "/v1/auth/password", map[string]string{"email": email, "password": password})
}

func (c *controlPlane) Lookup(ctx context.Context, userID string) (session.User, error) {
	return call[session.User](ctx, c, http.MethodGet, "/v1/users/"+url.PathEscape(userID), nil)
}

func (c *controlPlane) SetPassword(ctx context.Context, userID, password string) error {
	_, err := call[struct{}](ctx, c, http.MethodPut, "/v1/users/"+url.PathEscape(userID)+"/password", map[string]string{"password": password})
	return err
}

func (c *controlPlane) SendCode(ctx context.Context, email, code string) error {
	_, err := call[struct{}](ctx, c, http.MethodPost, "/v1/mail/otp", map[string]string{"to": email, "code": code})
	return err
}

func (c *controlPlane) Settings(ctx context.Context, tenantID string) (tenant.Settings, error) {
	return call[tenant.Settings](ctx, c, http.MethodGet, "/v1/tenants/"+url.PathEscape(tenantID)+"/push-settings", nil)
}

func (c *controlPlane) Tenants(ctx context.Context) ([]tenantsync.Tenant, error) {
	return call[[]tenantsync.Tenant](ctx, c, http.MethodGet, "/v1/tenants?product=push", nil)
}

// TenantIDs returns the IDs of active tenants.
func (c *controlPlane) TenantIDs(ctx context.Context) ([]string, error) {
	ts, err := c.Tenants(ctx)
	var ids []string
	for _, t := range ts {
		if !t.Suspended {
			ids = append(ids, t.ID)
		}
	}
	return ids, err
}

func (c *controlPlane) SendsSince(ctx context.Context, tenantID string, since time.Time) (int, error) {
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}}
	out, err := call[struct{ Sends int }](ctx, c, http.MethodGet, "/v1/tenants/"+url.PathEscape(tenantID)+"/sends?"+q.Encode(), nil)
	return out.Sends, err
}

func (c *controlPlane) RevokedAPIKeys(ctx context.Context, since time.Time) ([]string, error) {
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}}
	return call[[]string](ctx, c, http.MethodGet, "/v1/api-keys/revoked?"+q.Encode(), nil)
}
