package tfprovider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// minTTL rejects TTLs KV would refuse at apply time.
type minTTL struct{ seconds int64 }

var _ validator.Int64 = minTTL{}

func (v minTTL) Description(context.Context) string {
	return fmt.Sprintf("must be at least %d seconds", v.seconds)
}

func (v minTTL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v minTTL) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := req.ConfigValue.ValueInt64(); n != 0 && n < v.seconds {
		resp.Diagnostics.AddAttributeError(req.Path, "TTL too short", fmt.Sprintf("%d seconds: %s", n, v.Description(context.Background())))
	}
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// slug validates site IDs and toggle names.
type slug struct{}

var _ validator.String = slug{}

func (slug) Description(context.Context) string {
	return "lowercase letters, digits and dashes, at most 63 characters"
}
func (s slug) MarkdownDescription(ctx context.Context) string { return s.Description(ctx) }

func (s slug) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !slugRE.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid identifier", s.Description(ctx))
	}
}

// lowercaseHost normalises hostnames in the plan so "Example.com" and
// "example.com" do not produce a diff.
type lowercaseHost struct{}

var _ planmodifier.String = lowercaseHost{}

func (lowercaseHost) Description(context.Context) string { return "hostnames are case-insensitive" }
func (lowercaseHost) MarkdownDescription(context.Context) string {
	return "hostnames are case-insensitive"
}

func (lowercaseHost) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	resp.PlanValue = types.StringValue(strings.ToLower(strings.TrimSuffix(req.PlanValue.ValueString(), ".")))
}
