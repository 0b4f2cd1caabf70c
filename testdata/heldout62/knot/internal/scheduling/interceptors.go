package scheduling

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/meridiancare/knot/internal/kvstore"
)

// apiKeyRecord is what the partner-onboarding tool stores under apikey:<id>.
type apiKeyRecord struct {
	PartnerID  string `json:"partner_id"`
	SecretHash string `json:"secret_hash"`
	Disabled   bool   `json:"disabled"`
	DailyQuota int    `json:"daily_quota"`
}

func (r apiKeyRecord) matches(secret string) bool {
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(r.SecretHash)) == 1
}

type partnerKey struct{}

type partner struct {
	ID    string
	Quota int
}

func partnerFrom(ctx context.Context) (partner, bool) {
	p, ok := ctx.Value(partnerKey{}).(partner)
	return p, ok
}

// parseAPIKey splits "Bearer ak_<id>.<secret>".
func parseAPIKey(header string) (id, secret string, ok bool) {
	token, found := strings.CutPrefix(header, "Bearer ak_")
	if !found {
		return "", "", false
	}
	return strings.Cut(token, ".")
}

// NewAPIKeyInterceptor authenticates partner integrations (EHR vendors,
// pharmacy networks) that call the scheduling API with an API key.
func NewAPIKeyInterceptor(keys *kvstore.Namespace) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if req.Spec().IsClient {
				return next(ctx, req)
			}
			id, secret, ok := parseAPIKey(req.Header().Get("Authorization"))
			if !ok {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("missing API key"))
			}
			var rec apiKeyRecord
			found, err := keys.GetJSON(ctx, "apikey:"+id, &rec)
			if err != nil {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			if !found || rec.Disabled || !rec.matches(secret) {
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("invalid API key"))
			}
			seen := map[string]string{"procedure": req.Spec().Procedure, "at": time.Now().UTC().Format(time.RFC3339)}
			if b, err := json.Marshal(seen); err == nil {
				if err := keys.Put(ctx, "apikey-seen:"+id, b, 0); err != nil { // DEBATABLE kvhotkey
					slog.WarnContext(ctx, "api key last-seen write failed", "key_id", id, "err", err)
				}
			}
			ctx = context.WithValue(ctx, partnerKey{}, partner{ID: rec.PartnerID, Quota: rec.DailyQuota})
			return next(ctx, req)
		}
	}
}

// NewQuotaInterceptor enforces each partner's daily request allowance.
func NewQuotaInterceptor(quotas *kvstore.Namespace, defaultDaily int) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			p, ok := partnerFrom(ctx)
			if !ok {
				return next(ctx, req)
			}
			limit := defaultDaily
			if p.Quota > 0 {
				limit = p.Quota
			}
			key := "quota:" + p.ID + ":" + time.Now().UTC().Format("20060102")
			used := 0
			raw, err := quotas.Get(ctx, key)
			switch {
			case err == nil:
				used, _ = strconv.Atoi(string(raw))
			case !errors.Is(err, kvstore.ErrNotFound):
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			if used >= limit {
				return nil, connect.NewError(connect.CodeResourceExhausted, errors.New("daily quota exhausted"))
			}
			if err := quotas.Put(ctx, key, []byte(strconv.Itoa(used+1)), 36*time.Hour); err != nil { // EXPECT kvcounter|kvrace
				slog.WarnContext(ctx, "quota write failed", "partner", p.ID, "err", err)
			}
			return next(ctx, req)
		}
	}
}

type idempotencyRecord struct {
	Procedure string          `json:"procedure"`
	Result    json.RawMessage `json:"result"`
	At        time.Time       `json:"at"`
}

// NewIdempotencyInterceptor rejects a retried mutation whose Idempotency-Key
// was already processed and returns the original result in a header.
func NewIdempotencyInterceptor(store *kvstore.Namespace, retention time.Duration, procedures ...string) connect.UnaryInterceptorFunc {
	guarded := make(map[string]bool, len(procedures))
	for _, p := range procedures {
		guarded[p] = true
	}
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			ikey := req.Header().Get("Idempotency-Key")
			if ikey == "" || !guarded[req.Spec().Procedure] {
				return next(ctx, req)
			}
			p, _ := partnerFrom(ctx)
			key := "idem:" + p.ID + ":" + req.Spec().Procedure + ":" + ikey

			var prior idempotencyRecord
			found, err := store.GetJSON(ctx, key, &prior)
			if err != nil {
				return nil, connect.NewError(connect.CodeUnavailable, err)
			}
			if found {
				cerr := connect.NewError(connect.CodeAlreadyExists, errors.New("request already processed"))
				cerr.Meta().Set("Idempotent-Result", string(prior.Result))
				return nil, cerr
			}

			res, err := next(ctx, req)
			if err != nil {
				return res, err
			}
			body, err := json.Marshal(res.Any())
			if err != nil {
				return res, nil
			}
			rec := idempotencyRecord{Procedure: req.Spec().Procedure, Result: body, At: time.Now().UTC()}
			if err := store.PutJSON(ctx, key, rec, retention); err != nil { // EXPECT kvrace
				slog.WarnContext(ctx, "idempotency record write failed", "key", key, "err", err)
			}
			return res, nil
		}
	}
}
