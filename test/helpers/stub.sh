#!/bin/sh
# A stand-in for a builder executable (buildah, docker, buildctl-daemonless.sh, /kaniko/executor, skopeo).
# It records its argv (NUL-separated, one element per argument) and the registry config it can
# see, then fakes just enough output for the job script to finish.
set -eu
tool=${0##*/}
dir=${CIGEN_STUB_DIR:-/cigen-stub}
mkdir -p "$dir"
n=1
while [ -e "$dir/$tool.$n.argv" ]; do n=$((n + 1)); done
for arg do printf '%s\0' "$arg"; done > "$dir/$tool.$n.argv"
# STUB_PUSH_DIGEST: the digest a push reports (builds of different platforms push different images).
digest=${STUB_PUSH_DIGEST:-sha256:1111111111111111111111111111111111111111111111111111111111111111}
copy_config() { if [ -f "$1" ]; then cp "$1" "$dir/$tool.$n.config.json"; fi; }
# The whole environment, and the files the builder would read beside its argv (registries.conf
# drop-ins, the registries.conf CONTAINERS_REGISTRIES_CONF names, storage.conf, buildkitd.toml, CA
# directories), copied under $tool.$n.files/ by their own paths.
env -0 > "$dir/$tool.$n.environ"
snapshot() { # FILE...: copies each regular file that exists
  for f do
    if [ -f "$f" ]; then mkdir -p "$dir/$tool.$n.files${f%/*}"; cp "$f" "$dir/$tool.$n.files$f"; fi
  done
}
snapshot "$HOME"/.config/containers/registries.conf.d/* ${CONTAINERS_REGISTRIES_CONF:+"$CONTAINERS_REGISTRIES_CONF"} \
  ${CONTAINERS_STORAGE_CONF:+"$CONTAINERS_STORAGE_CONF"}
for flag in ${BUILDKITD_FLAGS-}; do case $flag in --config=*) snapshot "${flag#*=}" ;; esac; done
old_ifs=$IFS; IFS=:
for d in ${SSL_CERT_DIR-}; do case $d in /tmp/*) snapshot "$d"/* ;; esac; done
IFS=$old_ifs

# STUB_FAIL_ON='TOOL ARG': every call of TOOL with ARG among its arguments fails (a registry that
# refuses one destination), saying STUB_FAIL_SAYS when set.
if [ -n "${STUB_FAIL_ON-}" ] && [ "${STUB_FAIL_ON%% *}" = "$tool" ]; then
  for arg do
    if [ "$arg" = "${STUB_FAIL_ON#* }" ]; then
      echo "${STUB_FAIL_SAYS:-stub: $tool: $arg: 403 Forbidden}" >&2
      exit 1
    fi
  done
fi

# STUB_FAIL='TOOL ARG1:N': the first N calls of TOOL with ARG1 as first argument fail, as a
# registry that is briefly down would make them.
if [ -n "${STUB_FAIL-}" ] && [ "${STUB_FAIL%:*}" = "$tool ${1-}" ]; then
  failed=$(cat "$dir/failed.count" 2> /dev/null || echo 0)
  if [ "$failed" -lt "${STUB_FAIL##*:}" ]; then
    echo $((failed + 1)) > "$dir/failed.count"
    echo "${STUB_FAIL_SAYS:-stub: $tool ${1-}: 503 Service Unavailable}" >&2
    exit 1
  fi
fi

case $tool in
  sleep) ;;
  executor)
    # STUB_KANIKO_STAGES=N: a Dockerfile of N stages. After each stage but the last Kaniko deletes
    # the filesystem (DeleteFilesystem): everything but its ignore list (/kaniko, /var/run, each
    # --ignore-path, mount points), emulated here for /tmp and $HOME. The push then resolves its
    # credentials afresh: $DOCKER_CONFIG/config.json and the files the credential helpers read.
    ignored=' /kaniko /var/run '
    for arg do case $arg in --ignore-path=*) ignored="$ignored${arg#*=} " ;; esac; done
    delete_fs() { # DIR: what Kaniko removes in DIR
      local entry path keep descend
      for entry in "$1"/* "$1"/.[!.]*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        keep='' descend=''
        for path in $ignored; do
          case $entry in "$path" | "$path"/*) keep=1 ;; esac
          case $path in "$entry"/*) descend=1 ;; esac
        done
        if [ -n "$keep" ]; then continue; fi
        if [ -n "$descend" ]; then delete_fs "$entry"; else rm -rf "$entry"; fi
      done
    }
    config=${DOCKER_CONFIG:-/kaniko/.docker}/config.json had_config=''
    if [ -f "$config" ]; then had_config=1; fi
    stage=1
    while [ "$stage" -lt "${STUB_KANIKO_STAGES:-1}" ]; do
      delete_fs /tmp
      delete_fs "$HOME"
      stage=$((stage + 1))
    done
    copy_config "$config"
    if [ -n "$had_config" ] && [ ! -f "$config" ]; then
      echo "stub: executor: push: 401 Unauthorized ($config is gone)" >&2
      exit 1
    fi
    for f in "${AWS_WEB_IDENTITY_TOKEN_FILE-}" "${GOOGLE_APPLICATION_CREDENTIALS-}" "${AZURE_FEDERATED_TOKEN_FILE-}"; do
      [ -z "$f" ] || [ -f "$f" ] || { echo "stub: executor: push: 401 Unauthorized (the credential helper's $f is gone)" >&2; exit 1; }
    done
    for arg do
      case $arg in
        # STUB_NO_DIGEST: a push that writes no digest file (as for docker and buildah below).
        --digest-file=*) [ -n "${STUB_NO_DIGEST-}" ] || printf '%s' "$digest" > "${arg#*=}" ;;
        --tar-path=*) printf 'tarball\n' > "${arg#*=}" ;;
      esac
    done ;;
  buildah)
    copy_config "${REGISTRY_AUTH_FILE:-/nonexistent}"
    env | grep -E '^(STORAGE_DRIVER|BUILDAH_ISOLATION)=' > "$dir/$tool.$n.env" || true
    case ${1-} in
      --storage-driver=overlay) [ -z "${STUB_OVERLAY_FAILS-}" ] || { echo "kernel does not support overlay fs: 'overlay' is not supported over overlayfs" >&2; exit 1; } ;;
    esac
    # build: the platform of each tag it makes, which inspect --type=image reports back as OS/ARCH
    # (linux/amd64 for a build without --platform).
    if [ "${1-}" = build ] || [ "${2-}" = build ]; then
      platform=linux/amd64
      for arg do case $arg in --platform=*) platform=${arg#*=} ;; esac; done
      for arg do case $arg in --tag=*) printf '%s' "$platform" > "$dir/platform.$(printf '%s' "${arg#*=}" | tr '/:' '__')" ;; esac; done
      # And its --annotation items, which inspect of .ImageAnnotations prints back as KEY=VALUE lines.
      for arg do
        case $arg in --tag=*)
          tagfile=$dir/annotations.$(printf '%s' "${arg#*=}" | tr '/:' '__')
          : > "$tagfile"
          for a do case $a in --annotation=*) printf '%s\n' "${a#*=}" >> "$tagfile" ;; esac; done ;;
        esac
      done
    fi
    if [ "${1-}" = inspect ] && [ "${2-}" = --type=image ]; then
      for image do :; done
      case $* in *.ImageAnnotations*) cat "$dir/annotations.$(printf '%s' "$image" | tr '/:' '__')" 2> /dev/null || true; exit 0 ;; esac
      built=$(cat "$dir/platform.$(printf '%s' "$image" | tr '/:' '__')" 2> /dev/null || echo linux/amd64)
      case $built in */*/*) printf '%s\n' "${built%/*}" ;; *) printf '%s\n' "$built" ;; esac
      exit 0
    fi
    # push, manifest push: the digest file wherever the flag is; manifest inspect: $STUB_INSPECT.
    for arg do
      case $arg in
        --digestfile=*)
          # STUB_NO_DIGEST: no push writes its digest (Buildah 1.28's failed manifest push, status 0);
          # STUB_NO_DIGEST_TIMES=N: the first N do not.
          skipped=$(cat "$dir/no-digest.count" 2> /dev/null || echo 0)
          if [ -n "${STUB_NO_DIGEST-}" ]; then :
          elif [ "$skipped" -lt "${STUB_NO_DIGEST_TIMES:-0}" ]; then echo $((skipped + 1)) > "$dir/no-digest.count"
          # STUB_OTHER_DIGEST_ON=TEXT: a push whose arguments hold TEXT stores another digest (a registry that converted it).
          elif [ -n "${STUB_OTHER_DIGEST_ON-}" ] && case " $* " in *"$STUB_OTHER_DIGEST_ON"*) true ;; *) false ;; esac; then
            printf 'sha256:%s' 2222222222222222222222222222222222222222222222222222222222222222 > "${arg#*=}"
          else printf '%s' "$digest" > "${arg#*=}"; fi ;;
        docker-archive:*) path=${arg#docker-archive:}; printf 'tarball\n' > "${path%%:*}" ;;
        inspect) printf '%s' "${STUB_INSPECT-}" ;;
      esac
    done ;;
  skopeo)
    copy_config "${REGISTRY_AUTH_FILE:-/nonexistent}"
    # inspect --raw: the manifest in $STUB_INSPECT; copy: its digest, as --preserve-digests keeps it.
    case ${1-} in
      inspect) printf '%s' "${STUB_INSPECT-}" ;;
      copy)
        for arg do
          case $arg in --digestfile=*) printf '%s' "${STUB_COPY_DIGEST:-sha256:$(printf '%s' "${STUB_INSPECT-}" | sha256sum | cut -d ' ' -f 1)}" > "${arg#*=}" ;; esac
        done ;;
    esac ;;
  buildctl-daemonless.sh)
    copy_config "${DOCKER_CONFIG:-$HOME/.docker}/config.json"
    env | grep -E '^BUILDKITD_FLAGS=' > "$dir/$tool.$n.env" || true
    # Each --output exports its own manifest (an image's is STUB_PUSH_DIGEST, a tarball's another);
    # buildkitd merges the exporters' responses in --output order, the last one's digest winning
    # (solver/llbsolver/solver.go runExporters), and buildctl writes that to --metadata-file.
    prev='' exported=''
    for arg do
      case $prev in
        --output)
          case $arg in
            type=image,*) exported=$digest ;;
            *) exported=${STUB_TARBALL_DIGEST:-sha256:2222222222222222222222222222222222222222222222222222222222222222} ;;
          esac
          case $arg in *dest=*) path=${arg##*dest=}; printf 'tarball\n' > "${path%%,*}" ;; esac ;;
      esac
      prev=$arg
    done
    prev=''
    for arg do
      # STUB_NO_METADATA: no metadata file; STUB_METADATA: this text in it instead.
      case $prev in
        --metadata-file)
          if [ -n "${STUB_METADATA-}" ]; then printf '%s\n' "$STUB_METADATA" > "$arg"
          elif [ -z "${STUB_NO_METADATA-}" ]; then printf '{\n  "containerimage.digest": "%s"\n}\n' "$exported" > "$arg"; fi ;;
      esac
      prev=$arg
    done ;;
  docker)
    copy_config "${DOCKER_CONFIG:-$HOME/.docker}/config.json"
    case ${1-} in
      info) [ -z "${STUB_DOCKER_DOWN-}" ] || { echo 'Cannot connect to the Docker daemon' >&2; exit 1; } ;;
      login) cat > "$dir/$tool.$n.stdin" ;;
      # STUB_NO_DIGEST: a push whose output has no digest line.
      push)
        if [ -n "${STUB_NO_DIGEST-}" ]; then printf 'The push refers to repository [%s]\n5f70bf18a086: Pushed\n' "${2%:*}"
        else printf 'The push refers to repository [%s]\n%s: digest: %s size: 1234\n' "${2%:*}" "${2##*:}" "$digest"; fi ;;
      save) printf 'tarball\n' > "${2#--output=}" ;;
    esac ;;
esac
exit 0
