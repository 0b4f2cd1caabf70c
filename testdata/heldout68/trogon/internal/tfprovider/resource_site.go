package tfprovider

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

var (
	_ resource.ResourceWithConfigure   = (*siteConfigResource)(nil)
	_ resource.ResourceWithImportState = (*siteConfigResource)(nil)
)

type siteConfigResource struct{ store *kvrest.Store }

type siteConfigModel struct {
	SiteID       types.String `tfsdk:"site_id"`
	Origin       types.String `tfsdk:"origin"`
	Headers      types.Map    `tfsdk:"headers"`
	EdgeCacheTTL types.Int64  `tfsdk:"edge_cache_ttl"`
	NotFound     types.String `tfsdk:"not_found_page"`
	PreviewOnly  types.Bool   `tfsdk:"preview_only"`
}

func newSiteConfigResource() resource.Resource { return &siteConfigResource{} }

func (r *siteConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site"
}

func (r *siteConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The published configuration of a site.",
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{
				Required:      true,
				Validators:    []validator.String{slug{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"origin":         schema.StringAttribute{Optional: true, Description: "Upstream for paths not in the manifest."},
			"headers":        schema.MapAttribute{Optional: true, ElementType: types.StringType},
			"edge_cache_ttl": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(300), Validators: []validator.Int64{minTTL{seconds: 30}}},
			"not_found_page": schema.StringAttribute{Optional: true},
			"preview_only":   schema.BoolAttribute{Optional: true},
		},
	}
}

func (r *siteConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (m siteConfigModel) toConfig(ctx context.Context) (site.Config, error) {
	cfg := site.Config{
		SiteID:       m.SiteID.ValueString(),
		Origin:       m.Origin.ValueString(),
		EdgeCacheTTL: m.EdgeCacheTTL.ValueInt64(),
		NotFound:     m.NotFound.ValueString(),
		PreviewOnly:  m.PreviewOnly.ValueBool(),
		UpdatedAt:    time.Now().UTC(),
	}
	if !m.Headers.IsNull() {
		cfg.Headers = map[string]string{}
		if d := m.Headers.ElementsAs(ctx, &cfg.Headers, false); d.HasError() {
			return cfg, errors.New("headers must be a map of strings")
		}
	}
	return cfg, nil
}

func (r *siteConfigResource) write(ctx context.Context, m siteConfigModel) error {
	cfg, err := m.toConfig(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, site.ConfigKey(cfg.SiteID), string(body), 0)
}

func (r *siteConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan siteConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.write(ctx, plan); err != nil {
		resp.Diagnostics.AddError("Writing site configuration", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *siteConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state siteConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	raw, err := r.store.Get(ctx, site.ConfigKey(state.SiteID.ValueString()))
	if errors.Is(err, kvrest.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading site configuration", err.Error())
		return
	}
	var cfg site.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		resp.Diagnostics.AddError("Decoding site configuration", err.Error())
		return
	}
	state.Origin = optionalString(cfg.Origin)
	state.NotFound = optionalString(cfg.NotFound)
	state.EdgeCacheTTL = types.Int64Value(cfg.EdgeCacheTTL)
	if len(cfg.Headers) > 0 {
		hm, d := types.MapValueFrom(ctx, types.StringType, cfg.Headers)
		resp.Diagnostics.Append(d...)
		state.Headers = hm
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *siteConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan siteConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.write(ctx, plan); err != nil {
		resp.Diagnostics.AddError("Writing site configuration", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *siteConfigResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state siteConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.store.Delete(ctx, site.ConfigKey(state.SiteID.ValueString())); err != nil {
		resp.Diagnostics.AddError("Deleting site configuration", err.Error())
	}
}

func (r *siteConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("site_id"), req, resp)
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
