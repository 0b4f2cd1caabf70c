package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"example.com/tundra/internal/storage"
)

// archiveSlot is the largest attachment a partner may upload with a
// statement dispute.
const archiveSlot = 32 << 20

// exportNotice travels with every export so downstream copies keep it.
const exportNotice = "This export is provided by Tundra for the sole purpose of reconciling usage-based " +
	"charges between Tundra and the receiving partner. It contains commercially sensitive information, " +
	"including unit prices, discounts and usage volumes, and must not be disclosed to any third party " +
	"without prior written consent. Figures are stated in the invoice currency and exclude taxes unless a " +
	"tax line is present. Usage is aggregated per UTC hour; late-arriving events may be billed in the " +
	"following period as provided in section 7.3 of the Partner Agreement. Where this export conflicts " +
	"with a signed invoice, the signed invoice prevails. Amounts marked provisional are estimates and may " +
	"change until the billing period is closed, which normally happens on the fifth business day of the " +
	"following month. Disputes must be raised within sixty days of the invoice date through the partner " +
	"portal; disputes raised by other channels cannot be tracked. Retention: exports are kept for ninety " +
	"days and then deleted; partners are responsible for keeping their own copies for audit purposes. " +
	"Data protection: this export contains no personal data beyond business contact identifiers; if you " +
	"believe it does, contact privacy@tundra.example immediately and do not forward the file further."

// ErrTooLarge is returned for attachments over archiveSlot.
var ErrTooLarge = errors.New("reports: attachment too large")

// Attach stores a dispute attachment read from src.
func (e *Exporter) Attach(ctx context.Context, tenantID, disputeID string, src io.Reader) (string, error) {
	buf := make([]byte, archiveSlot)
	n, err := io.ReadFull(src, buf)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
	case err != nil:
		return "", err
	default:
		return "", ErrTooLarge
	}
	key := path.Join("disputes", tenantID, disputeID)
	meta := map[string]any{"bytes": n, "uploaded": time.Now().UTC().Format(time.RFC3339)}
	if err := e.Archive.Put(ctx, key, buf, storage.WriteOpts{TTL: 180 * 24 * time.Hour, Metadata: meta}); err != nil { // EXPECT kvlimits
		return "", fmt.Errorf("reports: store attachment: %w", err)
	}
	return key, nil
}
