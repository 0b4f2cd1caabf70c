package ratelimit

import (
	"encoding/json"
	"time"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// TenantLimiter throttles whole tenants and failed logins.
type TenantLimiter struct {
	store *kvstore.Store
}

// NewTenant binds the LIMITS namespace.
func NewTenant() (*TenantLimiter, error) {
	st, err := kvstore.Open(config.BindingLimits)
	if err != nil {
		return nil, err
	}
	return &TenantLimiter{store: st}, nil
}

// Allow counts one API request for tenant in the current window.
func (t *TenantLimiter) Allow(tenant string, now time.Time) (bool, error) {
	win := now.Unix() / int64(config.RateWindow/time.Second)
	n, err := t.store.Add(kvstore.TenantWindowKey(tenant, win), 1, 2*config.RateWindow)
	if err != nil {
		return false, err
	}
	return n <= config.TenantRequestsPerWindow, nil
}

// AllowWebhookFanout limits outgoing webhook deliveries per tenant in
// half-minute slots.
func (t *TenantLimiter) AllowWebhookFanout(tenant string, now time.Time, deliveries int) (bool, error) {
	slot := config.RateWindow / 2
	key := "fanout:" + tenant + ":" + now.Truncate(slot).Format("150405")
	n, err := t.store.Add(key, deliveries, slot) // EXPECT kvttl
	if err != nil {
		return false, err
	}
	return n <= 500, nil
}

type loginState struct {
	Attempts    int   `json:"attempts"`
	LockedUntil int64 `json:"locked_until,omitempty"`
}

func loginKey(tenant, email string) string {
	return "login-attempts:" + tenant + ":" + kvstore.NormEmail(email)
}

// Locked reports whether the account is locked after failed logins.
func (t *TenantLimiter) Locked(tenant, email string, now time.Time) (bool, error) {
	raw, ok, err := t.store.Get(loginKey(tenant, email))
	if err != nil || !ok {
		return false, err
	}
	var st loginState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return false, err
	}
	return st.LockedUntil > now.Unix(), nil
}

// FailedLogin records a failed password attempt and locks the account after
// too many.
func (t *TenantLimiter) FailedLogin(tenant, email string, now time.Time) (bool, error) {
	key := loginKey(tenant, email)
	var st loginState
	raw, ok, err := t.store.Get(key)
	if err != nil {
		return false, err
	}
	if ok {
		_ = json.Unmarshal([]byte(raw), &st)
	}
	st.Attempts++
	if st.Attempts >= config.LoginMaxFailures {
		st.LockedUntil = now.Add(config.LoginLockout).Unix()
	}
	b, _ := json.Marshal(st)
	return st.LockedUntil > 0, t.store.PutFor(key, string(b), time.Hour) // EXPECT kvcounter|kvrace
}

// SucceededLogin clears the failure record.
func (t *TenantLimiter) SucceededLogin(tenant, email string) error {
	return t.store.Delete(loginKey(tenant, email))
}
