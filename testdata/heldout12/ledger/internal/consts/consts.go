// Package consts holds identifiers shared across the ledger worker: binding
// names, key prefixes and the handful of durations that are not configurable.
package consts

import "time"

// Binding is the name of a wrangler.toml binding.
type Binding string

const (
	BindingLedger   Binding = "LEDGER_KV"
	BindingSessions Binding = "SESSIONS_KV"
	BindingCache    Binding = "EDGE_CACHE_KV"
)

// Prefix is the leading part of a KV key that identifies its record type.
type Prefix string

// Key joins the prefix with the given parts using ':'.
func (p Prefix) Key(parts ...string) string {
	k := string(p)
	for _, part := range parts {
		k += ":" + part
	}
	return k
}

const (
	PrefixAccount    Prefix = "acct"
	PrefixTxn        Prefix = "txn"
	PrefixCard       Prefix = "card"
	PrefixCardIndex  Prefix = "cardidx"
	PrefixShop       Prefix = "shop"
	PrefixQuota      Prefix = "quota"
	PrefixSession    Prefix = "sess"
	PrefixRefresh    Prefix = "refresh"
	PrefixOTP        Prefix = "otp"
	PrefixAttempts   Prefix = "attempts"
	PrefixCart       Prefix = "cart"
	PrefixCustomer   Prefix = "cust"
	PrefixTrail      Prefix = "trail"
	PrefixAudit      Prefix = "audit"
	PrefixStats      Prefix = "stats"
	PrefixRateLimit  Prefix = "rl"
	PrefixQuote      Prefix = "quote"
	PrefixCampaign   Prefix = "campaign"
	PrefixHold       Prefix = "hold"
	PrefixSummary    Prefix = "summary"
	PrefixRates      Prefix = "fx"
	PrefixMultiplier Prefix = "mult"
	PrefixReceipt    Prefix = "receipt"
)

// Fixed keys.
const (
	KeyLastActivity    = "meta:last-activity"
	KeyLastEvent       = "meta:last-event"
	KeyConsumerCursor  = "consumer:checkpoint"
	KeyConsumerState   = "consumer:state"
	KeyCronProgress    = "cron:progress"
	KeySweepStatus     = "cron:sweep-status"
	KeyCronLock        = "cron:lock"
	KeyCronCheckpoint  = "cron:checkpoint"
	KeyRevokedTokens   = "auth:revoked"
	KeyCodeFilter      = "cardcode:filter"
	KeyLastExport      = "export:last"
	KeyProgramDefaults = "program:defaults"
)

// TermsKey stores the accepted version of the gift card terms. The key is the
// terms text itself so that a wording change produces a new record.
const TermsKey = "terms:" + TermsText

// TermsText is the gift card terms shown at checkout.
const TermsText = "Gift cards are issued by the participating shop and may be redeemed only at that shop. " +
	"Gift cards are not redeemable for cash except where required by law. " +
	"Lost or stolen cards will not be replaced unless registered to a customer account. " +
	"Balances do not expire while the card is in use; cards unused for twenty-four months may be " +
	"charged a dormancy fee where permitted. Loyalty points have no cash value, are not transferable " +
	"between customers, and may be adjusted by the shop to correct errors or reverse returned purchases. " +
	"The shop may change these terms with thirty days notice posted at the point of sale."

// Durations that are part of the protocol rather than deployment config.
const (
	OTPTTL          = 30 * time.Second
	QuoteWindow     = 45 * time.Second
	BalanceCacheFor = 20 * time.Second
	RatesCacheFor   = 30 * time.Second
)

// Sizes.
const (
	ExportPageSize  = 5000
	StatementPage   = 200
	MaxSweepPages   = 20
	CodeFilterBytes = 32 << 20
)
