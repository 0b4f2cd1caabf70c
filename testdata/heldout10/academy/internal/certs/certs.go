// Package certs issues course completion certificates and publishes the
// records the public verification site reads.
package certs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/retry"
)

type Certificate struct {
	Serial     string    `json:"serial"`
	OrgID      string    `json:"org_id"`
	LearnerID  string    `json:"learner_id"`
	Learner    string    `json:"learner_name"`
	CourseID   string    `json:"course_id"`
	Course     string    `json:"course_title"`
	Grade      string    `json:"grade"`
	IssuedAt   time.Time `json:"issued_at"`
	Accredited bool      `json:"accredited"`
}

type Issuer struct {
	store   kvstore.Store
	ns      *kv.NamespaceService
	account string
	nsID    string
}

func NewIssuer(store kvstore.Store, client *cloudflare.Client, accountID, namespaceID string) *Issuer {
	return &Issuer{store: store, ns: client.KV.Namespaces, account: accountID, nsID: namespaceID}
}

func Key(orgID, serial string) string {
	return keys.New("cert").Add(orgID).Add(serial).String()
}

// Issue stores a certificate. The metadata lets the verification site
// render the badge from a list call alone.
func (i *Issuer) Issue(ctx context.Context, c Certificate) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	opts := []kvstore.PutOption{kvstore.WithMetadata(map[string]string{"learner": c.Learner, "course": c.Course, "grade": c.Grade})}
	if c.Accredited {
		opts = []kvstore.PutOption{kvstore.WithMetadata(map[string]string{"statement": accreditationStatement})} // EXPECT kvlimits
	}
	return i.store.Put(ctx, Key(c.OrgID, c.Serial), raw, opts...)
}

// ShareLink publishes a public link to the certificate that stays valid
// while the course is still running.
func (i *Issuer) ShareLink(ctx context.Context, c Certificate, courseEnds time.Time) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	slug := hex.EncodeToString(b)
	if err := i.store.Put(ctx, "share:"+slug, []byte(Key(c.OrgID, c.Serial)), kvstore.WithTTL(time.Until(courseEnds))); err != nil { // EXPECT kvttl
		return "", err
	}
	return "https://verify.academy.example.com/s/" + slug, nil
}

// Regrade changes the grade on an issued certificate and appends a line to
// the organisation's audit trail.
func (i *Issuer) Regrade(ctx context.Context, orgID, serial, grade, by string) error {
	c, found, err := kvstore.GetJSON[Certificate](ctx, i.store, Key(orgID, serial))
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("certs: %s/%s not found", orgID, serial)
	}
	old := c.Grade
	c.Grade = grade
	if err := kvstore.PutJSON(ctx, i.store, Key(orgID, serial), c); err != nil { // EXPECT kvrace
		return err
	}
	auditKey := "audit:certs:" + orgID
	line := fmt.Sprintf("%s\t%s\t%s->%s\t%s\n", time.Now().UTC().Format(time.RFC3339), serial, old, grade, by)
	return retry.Do(ctx, 3, func() error {
		prev, err := i.store.Get(ctx, auditKey)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		return i.store.Put(ctx, auditKey, append(prev, line...)) // EXPECT kvrace
	})
}

// Render loads a certificate for the PDF renderer.
func (i *Issuer) Render(ctx context.Context, orgID, serial string, w io.Writer) error {
	res, _ := i.ns.Values.Get(ctx, i.nsID, Key(orgID, serial), kv.NamespaceValueGetParams{AccountID: cloudflare.F(i.account)}) // EXPECT kvnull
	defer res.Body.Close()
	var c Certificate
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s completed %s with grade %s on %s (serial %s)\n", c.Learner, c.Course, c.Grade, c.IssuedAt.Format("2 January 2006"), c.Serial)
	return err
}

// ExportOrg writes every certificate of an organisation as JSON lines,
// for the accreditation body's yearly audit.
func (i *Issuer) ExportOrg(ctx context.Context, orgID string, w io.Writer) error {
	q := kvstore.ListQuery{Prefix: keys.New("cert").Add(orgID).Prefix(), Limit: 500}
	enc := json.NewEncoder(w)
	for pages := 0; pages < 100; pages++ {
		page, err := i.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			if err := enc.Encode(map[string]any{"key": k.Name, "meta": k.Metadata}); err != nil {
				return err
			}
		}
		q.Cursor = page.Cursor
	}
	return fmt.Errorf("certs: export of %s truncated", orgID)
}

// serialBlock is how many serials a print run reserves.
const serialBlock = 12_000

// ReserveSerials writes placeholder records for a block of serial numbers
// so that printed certificates resolve on the verification site before
// the learner data is synced.
func (i *Issuer) ReserveSerials(ctx context.Context, orgID string, first int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, serialBlock)
	for n := first; n < first+serialBlock; n++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(Key(orgID, fmt.Sprintf("%08d", n))),
			Value: cloudflare.F(`{"status":"reserved"}`),
		})
	}
	params := kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(i.account), Body: body}
	_, err := i.ns.BulkUpdate(ctx, i.nsID, params) // EXPECT kvlimits
	return err
}
