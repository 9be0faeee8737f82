//! Compiles `native/dlib_face.cpp`, the small C interface to dlib (Debian's `libdlib-dev`) behind
//! `capture::dlib`, and links dlib with the BLAS/LAPACK it was built against.
//!
//! The shim is always compiled with optimisation: it instantiates dlib's neural-network templates
//! itself, and unoptimised they take seconds per face instead of a tenth of one.

fn main() {
    println!("cargo:rerun-if-changed=native/dlib_face.cpp");
    let dlib = match pkg_config::Config::new()
        .atleast_version("19.22")
        .cargo_metadata(false)
        .probe("dlib-1")
    {
        Ok(dlib) => dlib,
        Err(error) => panic!(
            "dlib not found through pkg-config ({error}); install Debian's libdlib-dev, \
             libblas-dev and liblapack-dev (scripts/setup.sh does)"
        ),
    };
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++14")
        .opt_level(2)
        .debug(false)
        .flag_if_supported("-Wno-deprecated-copy")
        .flag_if_supported("-Wno-misleading-indentation")
        .file("native/dlib_face.cpp");
    for path in &dlib.include_paths {
        build.include(path);
    }
    build.compile("vneid_dlib_face");
    // dlib's own library, then what the shim's instantiated templates call directly: CBLAS and
    // LAPACK routines (reference BLAS exports both interfaces on Debian).
    for path in &dlib.link_paths {
        println!("cargo:rustc-link-search=native={}", path.display());
    }
    for library in ["dlib", "lapack", "blas"] {
        println!("cargo:rustc-link-lib=dylib={library}");
    }
}
