//! `language_packages.sh`: npm, gem, cargo, pipx, snap and flatpak under `k_packages`. The
//! managers are stubs that list what they hold, as the real ones print it, and log every
//! other call to `calls`.

use super::{case, functions};

/// `npm ls --json --depth=0` as npm 9 prints it: `typescript` 5.4.5 and `@types/node`
/// 20.1.0 (whose own dependencies, deeper, are not listed); `outdated` says `@types/node`
/// has a newer version.
const NPM: &str = r#"case " $* " in
*" ls "*) cat <<'END'
{
  "name": "lib",
  "dependencies": {
    "@types/node": {
      "version": "20.1.0",
      "dependencies": {
        "undici-types": {
          "version": "5.26.5"
        }
      }
    },
    "typescript": {
      "version": "5.4.5",
      "overridden": false
    }
  }
}
END
;;
*" outdated "*) for last; do :; done; [ "$last" = @types/node ] && echo "/lib/node_modules/@types/node:@types/node@20.2.0:@types/node@20.1.0:@types/node@20.2.0" ;;
*) echo "npm $*" >> calls ;;
esac; exit 0"#;

/// `gem list --local`: several versions, a default gem, a platform gem; `outdated` says
/// `rake` has a newer version.
const GEM: &str = "case $1 in
list) printf 'bundler (default: 2.4.20)\\nnokogiri (1.15.4 x86_64-linux)\\nrake (13.0.6, 12.3.3)\\n' ;;
outdated) echo 'rake (13.0.6 < 13.1.0)' ;;
*) echo \"gem $*\" >> calls ;;
esac";

const CARGO: &str = "case $1 in
install) if [ \"$2\" = --list ]; then printf 'ripgrep v14.1.0:\\n    rg\\njust v1.25.2 (/src/just):\\n    just\\n'; else echo \"cargo $*\" >> calls; fi ;;
*) echo \"cargo $*\" >> calls ;;
esac";

const PIPX: &str = "case $1 in
list) printf 'black 24.2.0\\nhttpie 3.2.2\\n' ;;
*) echo \"pipx $*\" >> calls ;;
esac";

const SNAP: &str = "case $1 in
list) printf 'Name    Version   Rev    Tracking       Publisher   Notes\\ncore22  20240111  1122   latest/stable  canonical   base\\nlxd     5.21.1    28460  5.21/stable    canonical   -\\n' ;;
refresh) if [ \"$2\" = --list ]; then printf 'Name  Version  Rev    Size  Publisher  Notes\\nlxd   5.21.2   29000  90MB  canonical  -\\n'; else echo \"snap $*\" >> calls; fi ;;
*) echo \"snap $*\" >> calls ;;
esac";

const FLATPAK: &str = "case $1 in
list) printf 'org.videolan.VLC\\t3.0.20\\norg.gimp.GIMP\\t2.10.36\\n' ;;
remote-ls) printf 'org.gimp.GIMP\\n' ;;
*) echo \"flatpak $*\" >> calls ;;
esac";

functions! {
    k_lpkg_has => [
        case("for p in typescript typescript@5.4.5 typescript@5.0.0 @types/node @types/node@20.1.0 undici-types types none; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=npm k_packages_dir=''")
            .stub("npm", NPM)
            .prints("typescript yes\ntypescript@5.4.5 yes\ntypescript@5.0.0 no\n@types/node yes\n@types/node@20.1.0 yes\nundici-types no\ntypes no\nnone no\n"),
        case("for p in rake rake:12.3.3 rake:13.0.6 rake:11 bundler:2.4.20 nokogiri:1.15.4 rak; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=gem")
            .stub("gem", GEM)
            .prints("rake yes\nrake:12.3.3 yes\nrake:13.0.6 yes\nrake:11 no\nbundler:2.4.20 yes\nnokogiri:1.15.4 yes\nrak no\n"),
        case("for p in ripgrep ripgrep@14.1.0 ripgrep@13.0.0 just@1.25.2 rg; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=cargo")
            .stub("cargo", CARGO)
            .prints("ripgrep yes\nripgrep@14.1.0 yes\nripgrep@13.0.0 no\njust@1.25.2 yes\nrg no\n"),
        case("for p in black black==24.2.0 black==23.1.0 httpie none; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=pipx")
            .stub("pipx", PIPX)
            .prints("black yes\nblack==24.2.0 yes\nblack==23.1.0 no\nhttpie yes\nnone no\n"),
        // The header is not a snap.
        case("for p in core22 lxd Name none; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=snap")
            .stub("snap", SNAP)
            .prints("core22 yes\nlxd yes\nName no\nnone no\n"),
        case("for p in org.videolan.VLC org.gimp.GIMP org.videolan none; do k_lpkg_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=flatpak")
            .stub("flatpak", FLATPAK)
            .prints("org.videolan.VLC yes\norg.gimp.GIMP yes\norg.videolan no\nnone no\n"),
        // One listing for every package; a name is never a pattern.
        case("k_lpkg_has black; k_lpkg_has httpie; k_lpkg_has 'b*' || echo none; cat listed")
            .given("k_packages_manager=pipx")
            .stub("pipx", "echo x >> listed; printf 'black 24.2.0\\nhttpie 3.2.2\\n'")
            .prints("none\nx\n"),
        // A manager that is not installed: said once, and nothing is installed.
        case("k_lpkg_has black || k_lpkg_has httpie || echo missing")
            .given("k_packages_manager=pipx")
            .only(&["printf"])
            .prints("missing\n")
            .says("kiln: pipx is not installed\n"),
    ],
    k_lpkg_latest => [
        case("for p in typescript @types/node none; do k_lpkg_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=npm k_packages_dir=''")
            .stub("npm", NPM)
            .prints("typescript yes\n@types/node no\nnone no\n"),
        case("for p in bundler rake none; do k_lpkg_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=gem")
            .stub("gem", GEM)
            .prints("bundler yes\nrake no\nnone no\n"),
        case("for p in core22 lxd none; do k_lpkg_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=snap")
            .stub("snap", SNAP)
            .prints("core22 yes\nlxd no\nnone no\n"),
        case("for p in org.videolan.VLC org.gimp.GIMP none; do k_lpkg_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_packages_manager=flatpak")
            .stub("flatpak", FLATPAK)
            .prints("org.videolan.VLC yes\norg.gimp.GIMP no\nnone no\n"),
        // cargo and pipx cannot tell.
        case("k_lpkg_latest black || echo unknown").given("k_packages_manager=pipx").stub("pipx", PIPX).prints("unknown\n"),
    ],
    k_lpkgs_list => [
        case("k_lpkgs_list; echo \"$k_lpkgs_list_text\"")
            .given("k_packages_manager=npm k_packages_dir=''")
            .stub("npm", NPM)
            .prints("@types/node 20.1.0\ntypescript 5.4.5\n"),
        case("k_lpkgs_list; echo \"$k_lpkgs_list_text\"")
            .given("k_packages_manager=gem")
            .stub("gem", GEM)
            .prints("bundler 2.4.20\nnokogiri 1.15.4\nrake 13.0.6\nrake 12.3.3\n"),
        case("k_lpkgs_list; echo \"$k_lpkgs_list_text\"")
            .given("k_packages_manager=snap")
            .stub("snap", SNAP)
            .prints("core22 20240111\nlxd 5.21.1\n"),
        case("k_lpkgs_list || echo \"[$k_lpkgs_list_text] $k_lpkgs_list_done\"")
            .given("k_packages_manager=flatpak")
            .only(&["printf"])
            .prints("[] 1\n")
            .says("kiln: flatpak is not installed\n"),
    ],
    k_lpkgs_npm => [
        case("k_lpkgs_npm install a; k_packages_dir='/srv/my app'; k_lpkgs_npm install a; cat calls")
            .given("k_packages_dir=''")
            .stub("npm", NPM)
            .prints("npm --global install a\nnpm --prefix /srv/my app install a\n"),
    ],
    k_lpkgs_command => [
        // pipx and snap install one package a command; the others all at once.
        case("k_lpkgs_command install a 'b==1'; k_lpkgs_command remove a b; echo $k_lpkgs_list_done; cat calls")
            .given("k_packages_manager=pipx k_packages_extra='' k_lpkgs_list_done=1")
            .stub("pipx", PIPX)
            .prints("0\npipx install --force a\npipx install --force b==1\npipx uninstall a\npipx uninstall b\n"),
        case("k_lpkgs_command install a b; cat calls")
            .given("k_packages_manager=snap k_packages_extra='' k_packages_classic=1 k_packages_channel=5.0/edge")
            .stub("snap", SNAP)
            .prints("snap install --classic --channel=5.0/edge a\nsnap install --classic --channel=5.0/edge b\n"),
        case("k_lpkgs_command install a b; cat calls")
            .given("k_packages_manager=cargo k_packages_extra=''")
            .stub("cargo", CARGO)
            .prints("cargo install a b\n"),
        // The first that fails stops the rest.
        case("k_lpkgs_command install a b")
            .given("k_packages_manager=pipx k_packages_extra=''")
            .stub("pipx", "echo \"pipx $*\"; exit 2")
            .prints("pipx install --force a\n")
            .status(1),
        // Nothing to refresh.
        case("k_lpkgs_command update").given("k_packages_manager=gem").stub("gem", "echo \"gem $*\""),
    ],
    k_lpkgs_run => [
        // The extra arguments (a word a line, spaces kept, no globbing) go between the
        // manager's words and the packages.
        case("k_lpkgs_run install rake 'rails:7.1.3'; k_lpkgs_run remove rake; k_lpkgs_run upgrade rake; cat calls")
            .given("k_packages_manager=gem k_packages_user_install=1 k_packages_extra='--source\nfile:///srv/my gems\n*'")
            .stub("gem", GEM)
            .prints("gem install --no-document --user-install --source file:///srv/my gems * rake rails:7.1.3\ngem uninstall --all --executables --ignore-dependencies --source file:///srv/my gems * rake\ngem update --no-document --source file:///srv/my gems * rake\n"),
        case("k_lpkgs_run install org.a org.b; k_lpkgs_run remove org.a; cat calls")
            .given("k_packages_manager=flatpak k_packages_remote=flathub k_packages_extra='--user'")
            .stub("flatpak", FLATPAK)
            .prints("flatpak install --noninteractive -y --user flathub org.a org.b\nflatpak uninstall --noninteractive -y --user org.a\n"),
        case("k_lpkgs_run install typescript; k_lpkgs_run upgrade typescript; k_lpkgs_run remove typescript; cat calls")
            .given("k_packages_manager=npm k_packages_dir=/srv/app k_packages_extra=''")
            .stub("npm", NPM)
            .prints("npm --prefix /srv/app install typescript\nnpm --prefix /srv/app update typescript\nnpm --prefix /srv/app uninstall typescript\n"),
        case("k_lpkgs_run upgrade ripgrep")
            .given("k_packages_manager=cargo k_packages_extra=''")
            .status(1)
            .says("kiln: cargo cannot upgrade\n"),
    ],
}
