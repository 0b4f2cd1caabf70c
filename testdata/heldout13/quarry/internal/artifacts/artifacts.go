// Package artifacts stores metadata about build outputs (binaries, archives,
// SBOMs) and the tag indexes used to find them. The bytes themselves live in
// object storage; KV holds what the dashboard and the CLI need to locate them.
package artifacts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

// Artifact is the stored metadata record.
type Artifact struct {
	Project   string    `json:"project"`
	Build     int64     `json:"build"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	SHA256    []byte    `json:"sha256"`
	MediaType string    `json:"media_type"`
	ObjectURL string    `json:"object_url"`
	Public    bool      `json:"public"`
	CreatedAt time.Time `json:"created_at"`
}

// ID is the artifact's key suffix.
func (a Artifact) ID() string { return fmt.Sprintf("%s/%d/%s", a.Project, a.Build, a.Name) }

// Summary is what listings show; it is kept in key metadata.
type Summary struct {
	Name   string `json:"n"`
	Size   int64  `json:"s"`
	Digest string `json:"d"`
	Notice string `json:"notice,omitempty"`
}

// redistributionNotice is attached to artifacts of public projects so mirrors
// that only copy KV metadata keep the attribution.
const redistributionNotice = `This artifact was produced by the Quarry build platform from sources ` +
	`published under their respective licenses. Redistribution of this artifact is permitted ` +
	`provided that this notice, the accompanying LICENSE and NOTICE files, and the build ` +
	`provenance statement are retained in all copies or substantial portions of the artifact. ` +
	`THE ARTIFACT IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, ` +
	`INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR ` +
	`PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS, THE BUILD OPERATORS OR THE ` +
	`COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ` +
	`ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE ` +
	`ARTIFACT OR THE USE OR OTHER DEALINGS IN THE ARTIFACT. Third-party components bundled in ` +
	`this artifact remain subject to their own license terms, which are reproduced in the ` +
	`THIRD_PARTY_NOTICES file inside the archive. Export of this artifact may be subject to ` +
	`export control laws; the recipient is responsible for compliance with all applicable ` +
	`export and import regulations in their jurisdiction before downloading, copying or ` +
	`redistributing any portion of it.`

// downloadURLTTL is how long a presigned download URL is cached.
const downloadURLTTL = 15 * time.Minute

// importChunk is the number of records sent per bulk request during import.
const importChunk = 20000

// Service manages artifact metadata.
type Service struct {
	st  kvstore.Store
	ns  cfclient.Namespace
	log *slog.Logger
}

// NewService returns a Service. st and ns point at the same namespace; the tag
// index and import paths use the API directly.
func NewService(st kvstore.Store, ns cfclient.Namespace, log *slog.Logger) *Service {
	return &Service{st: st, ns: ns, log: log}
}

func key(id string) string { return policy.Key("artifacts", id) }

// Register stores a new artifact record.
func (s *Service) Register(ctx context.Context, a Artifact) error {
	if a.Name == "" || strings.ContainsAny(a.Name, "/\\") {
		return fmt.Errorf("artifacts: invalid name %q", a.Name)
	}
	sum := Summary{
		Name:   a.Name,
		Size:   a.Size,
		Digest: base64.RawURLEncoding.EncodeToString(a.SHA256),
	}
	if a.Public {
		sum.Notice = redistributionNotice
	}
	return codec.Save(ctx, s.st, key(a.ID()), a, kvstore.PutOptions{
		Metadata: sum, // EXPECT kvlimits
	})
}

// ListForBuild returns the full records of every artifact of a build.
func (s *Service) ListForBuild(ctx context.Context, project string, build int64) ([]Artifact, error) {
	prefix := key(fmt.Sprintf("%s/%d/", project, build))
	var out []Artifact
	err := kvstore.Scan(s.st).Prefix(prefix).Limit(500).Each(ctx, func(k kvstore.Key) error {
		a, ok, err := codec.Load[Artifact](ctx, s.st, k.Name) // EXPECT kvlist
		if err != nil || !ok {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Summaries returns listing rows for a build from key metadata alone.
func (s *Service) Summaries(ctx context.Context, project string, build int64) ([]Summary, error) {
	prefix := key(fmt.Sprintf("%s/%d/", project, build))
	var out []Summary
	err := kvstore.Scan(s.st).Prefix(prefix).Limit(500).Each(ctx, func(k kvstore.Key) error {
		m, _ := k.Metadata.(map[string]any)
		row := Summary{Name: path.Base(k.Name)}
		if m != nil {
			row.Digest, _ = m["d"].(string)
			if f, ok := m["s"].(float64); ok {
				row.Size = int64(f)
			}
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

// AddTag adds tag to the artifact's tag list (used by "quarry tag <artifact> <tag>").
func (s *Service) AddTag(ctx context.Context, id, tag string) error {
	k := policy.Key("tags", id)
	current, err := s.getRaw(ctx, k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	tags := strings.Split(current, ",")
	if slices.Contains(tags, tag) {
		return nil
	}
	next := tag
	if current != "" {
		next = current + "," + tag
	}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, k, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(next),
	})
	return err
}

func (s *Service) getRaw(ctx context.Context, k string) (string, error) {
	resp, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, k, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", kvstore.ErrNotFound
		}
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// CacheDownloadURL remembers a presigned URL so repeated CLI downloads do not
// hit the signer.
func (s *Service) CacheDownloadURL(ctx context.Context, id, url string) error {
	_, err := s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, "dl:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(url),
		ExpirationTTL: cloudflare.F(float64(downloadURLTTL)), // EXPECT kvttl
	})
	return err
}

// Import loads artifact records exported from the previous platform.
func (s *Service) Import(ctx context.Context, records []Artifact) (int, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, min(len(records), importChunk))
	written := 0
	flush := func() error {
		if len(body) == 0 {
			return nil
		}
		res, err := s.ns.Client.KV.Namespaces.BulkUpdate(ctx, s.ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(s.ns.AccountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
		written += int(res.SuccessfulKeyCount)
		if n := len(res.UnsuccessfulKeys); n > 0 {
			s.log.WarnContext(ctx, "import: keys not written", "count", n, "first", res.UnsuccessfulKeys[0])
		}
		body = body[:0]
		return nil
	}
	for _, a := range records {
		val, err := codec.JSON[Artifact]{}.Encode(a)
		if err != nil {
			return written, err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(key(a.ID())),
			Value: cloudflare.F(string(val)),
		})
		if len(body) == importChunk {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	return written, flush()
}
