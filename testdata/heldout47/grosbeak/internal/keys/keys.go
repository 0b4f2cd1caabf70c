// Package keys holds the KV key prefixes and lifetimes shared by the Worker
// and the backend. Prefixes are composed from Root so that a namespace dump
// groups everything the museum writes.
package keys

// Key prefixes.
const (
	Root = "mus:"

	SlotPrefix = Root +
		"slot:"
	SlotHoldPrefix = SlotPrefix +
		"hold:"
	SlotReceiptPrefix = SlotPrefix +
		"receipt:"
	GroupClaimPrefix = Root +
		"group:name:"
	GroupQuotaPrefix = Root +
		"group:quota:"

	PassPrefix = Root +
		"pass:"
	SessionPrefix = Root +
		"sess:"
	MagicLinkPrefix = Root +
		"magic:"
	RefreshPrefix = Root +
		"refresh:"
	OAuthStatePrefix = Root +
		"oauth:state:"
	LoginAttemptsPrefix = Root +
		"login:attempts:"

	QRPrefix = Root +
		"qr:"
	QRRevokedPrefix = QRPrefix +
		"revoked:"

	ExhibitPagePrefix = Root +
		"exhibit:page:"
	ExhibitRelatedPrefix = Root +
		"exhibit:related:"
	ExhibitViewsPrefix = Root +
		"exhibit:views:"

	AudioPrefix = Root +
		"audio:"
	AudioManifestKey = AudioPrefix +
		"manifest"

	DonationTotalPrefix = Root +
		"donation:total:"
	DonationDonorCountPrefix = Root +
		"donation:donors:"
	DonationLedgerPrefix = Root +
		"donation:ledger:"
)

// Fixed keys.
const (
	LastBookingKey = Root +
		"stats:last-booking"
	FeaturedServedKey = Root +
		"exhibit:featured:last-served"
	BannerKey = Root +
		"site:banner"
	OpsLastSyncKey = Root +
		"ops:last-sync"
	OpsPublishLockKey = Root +
		"ops:lock:publish"
	DonationTickerKey = Root +
		"donation:ticker"
)

// Lifetimes in seconds, as KV takes them.
const (
	Minute = 60
	Hour   = 60 * Minute

	SlotTTL    = 36 * Hour
	HoldTTL    = 45
	ReceiptTTL = 30 * 24 * Hour

	SessionTTL   = 12 * Hour
	MagicLinkTTL = 15 * Minute
	RefreshTTL   = 30 * 24 * Hour
	OAuthTTL     = 10 * Minute
	AttemptsTTL  = 15 * Minute

	QRCodeTTL    = 2 * Hour
	QRRevokedTTL = 26 * Hour

	PageCacheTTL  = 10 * Minute
	PageEdgeCache = 5 * Minute
	BannerEdgeTTL = 20

	AudioTTL = 7 * 24 * Hour
)
