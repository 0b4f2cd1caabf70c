package jobs

// DefaultLadderSpec is the rendition ladder used when a tenant has not
// configured one: resolution/codec/profile@level/video bitrate/audio.
const DefaultLadderSpec = "2160p/h265/main10@5.1/16000k/aac-lc/128k/29.97fps/gop2s/closed,1440p/h265/main10@5.0/9000k/aac-lc/128k/29.97fps/gop2s/closed,1080p/h265/main@4.1/4500k/aac-lc/128k/29.97fps/gop2s/closed,1080p/h264/high@4.2/6000k/aac-lc/128k/29.97fps/gop2s/closed,900p/h264/high@4.1/4300k/aac-lc/128k/29.97fps/gop2s/closed," +
	"720p/h264/high@4.0/3000k/aac-lc/128k/29.97fps/gop2s/closed,720p/h264/main@3.1/2400k/aac-lc/128k/29.97fps/gop2s/closed,540p/h264/main@3.1/1600k/aac-lc/128k/29.97fps/gop2s/closed,480p/h264/main@3.0/1100k/aac-lc/128k/29.97fps/gop2s/closed,432p/h264/main@3.0/900k/aac-lc/128k/29.97fps/gop2s/closed," +
	"360p/h264/baseline@3.0/600k/aac-lc/128k/29.97fps/gop2s/closed,270p/h264/baseline@2.1/400k/aac-lc/128k/29.97fps/gop2s/closed,234p/h264/baseline@2.1/250k/aac-lc/128k/29.97fps/gop2s/closed,144p/h264/baseline@1.3/120k/aac-lc/128k/29.97fps/gop2s/closed"

// RemasterFilterGraph is the ffmpeg filter graph of the archival remaster
// preset. The encoder workers read it from the job's metadata.
const RemasterFilterGraph = "[0:v]yadif=mode=send_field:parity=auto:deint=interlaced,bwdif=mode=send_frame:parity=auto:deint=all,hqdn3d=luma_spatial=4:chroma_spatial=3:luma_tmp=6:chroma_tmp=4.5,nlmeans=s=1.8:p=7:pc=5:r=15:rc=9,deband=1thr=0.02:2thr=0.02:3thr=0.02:4thr=0.02:range=16:blur=1,unsharp=luma_msize_x=5:luma_msize_y=5:luma_amount=0.6:chroma_msize_x=3:chroma_msize_y=3:chroma_amount=0.2," +
	"zscale=transfer=linear:npl=100:primaries=bt709:matrix=bt709:range=limited,tonemap=tonemap=hable:desat=0:peak=10,zscale=transfer=bt709:primaries=bt709:matrix=bt709:range=tv:dither=error_diffusion,eq=contrast=1.04:brightness=0.01:saturation=1.06:gamma=0.98:gamma_weight=0.8,colorbalance=rs=0.02:gs=0.0:bs=-0.02:rm=0.01:gm=0.0:bm=-0.01:rh=0.0:gh=0.0:bh=0.0,scale=w=3840:h=2160:flags=lanczos+accurate_rnd+full_chroma_int:force_original_aspect_ratio=decrease," +
	"pad=w=3840:h=2160:x=(ow-iw)/2:y=(oh-ih)/2:color=black,fps=fps=24000/1001:round=near,format=pix_fmts=yuv420p10le,setsar=1[vmaster];[0:a]aresample=resampler=soxr:precision=28:osr=48000,loudnorm=I=-23:LRA=7:TP=-2:dual_mono=true:linear=true:print_format=summary," +
	"highpass=f=30:poles=2,lowpass=f=18000:poles=2,alimiter=limit=0.891:attack=5:release=50:level=disabled,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[amaster]"
