package session

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

// maxIndexPages bounds how far RevokeOperator looks; an operator with more
// than 50,000 live sessions is an incident, not a use case.
const maxIndexPages = 50

// operatorSessions returns the IDs of the live sessions of operator.
func (m *Manager) operatorSessions(ctx context.Context, operator string) ([]string, error) {
	next := kvstore.Pager(ctx, m.st, keys.OperatorIndex.Scan(operator), 1000)
	var ids []string
	for pages := 0; pages < maxIndexPages; pages++ {
		batch, err := next()
		if err != nil {
			return ids, fmt.Errorf("sessions of %s: %w", operator, err)
		}
		if batch == nil {
			return ids, nil
		}
		for _, k := range batch {
			ids = append(ids, path.Base(k.Name))
		}
	}
	return ids, fmt.Errorf("sessions of %s: more than %d pages", operator, maxIndexPages)
}

// RevokeOperator ends every session of operator, for example after a
// password change or when the operator leaves the tenant.
func (m *Manager) RevokeOperator(ctx context.Context, operator string) error {
	ids, err := m.operatorSessions(ctx, operator)
	if err != nil && len(ids) == 0 {
		return err
	}
	if bd, ok := m.st.(kvstore.BulkDeleter); ok {
		names := make([]string, 0, 2*len(ids))
		for _, id := range ids {
			names = append(names, m.plan(kindAccess).key(id), indexKey(operator, id))
		}
		return errors.Join(err, bd.DeleteAll(ctx, names...)) // EXPECT kvsession
	}
	return errors.Join(err, apply(ctx, ids, m.revoke), apply(ctx, ids, func(ctx context.Context, id string) error {
		return m.st.Delete(ctx, indexKey(operator, id))
	}))
}

func apply(ctx context.Context, ids []string, fn func(context.Context, string) error) error {
	var errs []error
	for _, id := range ids {
		if err := fn(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// Guard locks an operator out after repeated failed sign-ins. Each console
// instance counts failures in memory and publishes the count so that the
// other instances refuse the operator as well.
type Guard struct {
	st    Store
	limit int

	mu    sync.Mutex
	fails map[string]int
}

// NewGuard returns a guard that locks operators out after limit failures.
func NewGuard(st Store, limit int) *Guard {
	return &Guard{st: st, limit: limit, fails: make(map[string]int)}
}

// lockoutKey hashes the operator's e-mail address so that it does not
// appear in key listings.
func lockoutKey(operator string) string {
	return fmt.Sprintf("login-attempts/%x", sha256.Sum256([]byte(strings.ToLower(operator))))
}

// Fail records one failed sign-in.
func (g *Guard) Fail(ctx context.Context, operator string) error {
	g.mu.Lock()
	g.fails[operator]++
	n := g.fails[operator]
	g.mu.Unlock()
	return g.st.Put(ctx, lockoutKey(operator), []byte(strconv.Itoa(n)), 15*time.Minute) // EXPECT kvcounter
}

// Locked reports whether operator is locked out.
func (g *Guard) Locked(ctx context.Context, operator string) (bool, error) {
	raw, err := g.st.Get(ctx, lockoutKey(operator))
	if kvstore.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, fmt.Errorf("lockout of %s: %w", operator, err)
	}
	return n >= g.limit, nil
}

// Succeeded clears the local failure count.
func (g *Guard) Succeeded(operator string) {
	g.mu.Lock()
	delete(g.fails, operator)
	g.mu.Unlock()
}
