package adminauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
	"example.com/kiln/internal/ttlpolicy"
)

// Mailer delivers sign-in links.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Directory resolves admins by email and checks passwords. It is backed by
// the accounts database, not by KV.
type Directory interface {
	Lookup(ctx context.Context, email string) (adminID, studioID string, err error)
	CheckPassword(ctx context.Context, adminID, password string) (bool, error)
}

// Service signs studio admins in and out.
type Service struct {
	bucket   *kvstore.Bucket
	sessions *SessionRepo
	dir      Directory
	mail     Mailer

	// Direct SDK access for the sign-in paths that read and delete in one
	// request.
	cf          *cloudflare.Client
	accountID   string
	namespaceID string

	lifetime    time.Duration
	maxAttempts int
	baseURL     string
	now         func() time.Time
}

// WithLifetime sets how long a session lasts without activity.
func WithLifetime(d time.Duration) repo.Option[Service] {
	return func(s *Service) { s.lifetime = d }
}

// WithMaxAttempts sets how many failed passwords lock an account.
func WithMaxAttempts(n int) repo.Option[Service] {
	return func(s *Service) { s.maxAttempts = n }
}

// WithBaseURL sets the origin used in magic links.
func WithBaseURL(u string) repo.Option[Service] {
	return func(s *Service) { s.baseURL = u }
}

// New wires the service. cf, accountID and namespaceID must point at the
// same namespace as bucket.
func New(b *kvstore.Bucket, cf *cloudflare.Client, accountID, namespaceID string, dir Directory, mail Mailer, opts ...repo.Option[Service]) *Service {
	s := &Service{
		bucket:      b,
		dir:         dir,
		mail:        mail,
		cf:          cf,
		accountID:   accountID,
		namespaceID: namespaceID,
		lifetime:    ttlpolicy.SessionLifetime,
		maxAttempts: 5,
		baseURL:     "https://kiln.example.com",
		now:         time.Now,
	}
	repo.Apply(s, opts...)
	s.sessions = NewSessionRepo(b, s.lifetime)
	return s
}

func emailKey(email string) string {
	sum := sha256.Sum256([]byte(email))
	return hex.EncodeToString(sum[:12])
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// attempts returns how many failed sign-ins are recorded for email.
func (s *Service) attempts(ctx context.Context, email string) (int, error) {
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, "login-attempts:"+emailKey(email), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if notFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// recordFailure bumps the failed sign-in count for email for 15 minutes.
func (s *Service) recordFailure(ctx context.Context, email string) error {
	n, err := s.attempts(ctx, email)
	if err != nil {
		return err
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "login-attempts:"+emailKey(email), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(strconv.Itoa(n + 1)),
		ExpirationTTL: cloudflare.F(900.0),
	})
	return err
}

// ErrLocked is returned while an account is locked out.
var ErrLocked = errors.New("adminauth: too many attempts, try again later")

// PasswordLogin checks credentials and starts a session.
func (s *Service) PasswordLogin(ctx context.Context, w http.ResponseWriter, email, password string) (*Session, error) {
	n, err := s.attempts(ctx, email)
	if err != nil {
		return nil, err
	}
	if n >= s.maxAttempts {
		return nil, ErrLocked
	}
	adminID, studioID, err := s.dir.Lookup(ctx, email)
	if err != nil {
		return nil, err
	}
	ok, err := s.dir.CheckPassword(ctx, adminID, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := s.recordFailure(ctx, email); err != nil {
			return nil, err
		}
		return nil, errors.New("adminauth: wrong email or password")
	}
	return s.Start(ctx, w, adminID, studioID)
}

// magicLink is the record behind an emailed sign-in link.
type magicLink struct {
	AdminID  string    `json:"admin_id"`
	StudioID string    `json:"studio_id"`
	Hash     string    `json:"hash"`
	IssuedAt time.Time `json:"issued_at"`
}

// SendMagicLink emails a one-time sign-in link.
func (s *Service) SendMagicLink(ctx context.Context, email string) error {
	adminID, studioID, err := s.dir.Lookup(ctx, email)
	if err != nil {
		return err
	}
	token := newID()
	sum := sha256.Sum256([]byte(token))
	link := magicLink{AdminID: adminID, StudioID: studioID, Hash: hex.EncodeToString(sum[:]), IssuedAt: s.now()}
	err = s.bucket.Entry("magic:" + token[:16]).JSON(link).TTL(ttlpolicy.MagicLinkLifetime).Put(ctx)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("Sign in to your studio: %s/admin/magic?t=%s", s.baseURL, token)
	return s.mail.Send(ctx, email, "Your kiln sign-in link", body)
}

// RedeemMagicLink signs the admin in and burns the link.
func (s *Service) RedeemMagicLink(ctx context.Context, w http.ResponseWriter, token string) (*Session, error) {
	if len(token) < 16 {
		return nil, ErrNoSession
	}
	key := "magic:" + token[:16]
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if notFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var link magicLink
	if err := json.NewDecoder(res.Body).Decode(&link); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(link.Hash)) != 1 {
		return nil, ErrNoSession
	}
	_, err = s.cf.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, err
	}
	return s.Start(ctx, w, link.AdminID, link.StudioID)
}

// Handler exposes the sign-in endpoints.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/login", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.PasswordLogin(r.Context(), w, r.FormValue("email"), r.FormValue("password")); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("POST /admin/magic", func(w http.ResponseWriter, r *http.Request) {
		_ = s.SendMagicLink(r.Context(), r.FormValue("email"))
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /admin/magic", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.RedeemMagicLink(r.Context(), w, r.URL.Query().Get("t")); err != nil {
			http.Error(w, "link expired", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /admin/logout", s.Logout)
	return mux
}
