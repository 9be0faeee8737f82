// The kiosk's only C++: a minimal C interface to dlib (Debian's libdlib-dev) for two jobs that
// need trained models: five facial landmarks in a face box, and the 128-D face descriptor of
// dlib's ResNet face recognition model. `src/dlib.rs` is its Rust side; `build.rs` compiles it.
//
// Rules of this file: no C++ exception crosses the C boundary (each entry point catches and
// returns a status with a short message that names no image content); images come in as
// tightly packed 8-bit RGB rows owned by the caller; nothing is kept between calls except the
// loaded models.

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_transforms.h>
#include <dlib/serialize.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

using namespace dlib;

// The network of dlib_face_recognition_resnet_model_v1.dat: a 29-layer ResNet (ResNet-34 with
// layers removed and half the filters) over a 150x150 RGB face chip, ending in a 128-D metric
// embedding. The type must match the serialized model layer for layer.
template <int filters, template <typename> class norm, int stride, typename input>
using conv_pair = norm<con<filters, 3, 3, 1, 1, relu<norm<con<filters, 3, 3, stride, stride, input>>>>>;

template <int filters, typename input>
using res_same = relu<add_prev1<conv_pair<filters, affine, 1, tag1<input>>>>;

template <int filters, typename input>
using res_down =
    relu<add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<conv_pair<filters, affine, 2, tag1<input>>>>>>>;

template <typename input> using stage_256a = res_down<256, input>;
template <typename input> using stage_256b = res_same<256, res_same<256, res_down<256, input>>>;
template <typename input> using stage_128 = res_same<128, res_same<128, res_down<128, input>>>;
template <typename input> using stage_64 = res_same<64, res_same<64, res_same<64, res_down<64, input>>>>;
template <typename input> using stage_32 = res_same<32, res_same<32, res_same<32, input>>>;

using face_net = loss_metric<fc_no_bias<128, avg_pool_everything<
    stage_256a<stage_256b<stage_128<stage_64<stage_32<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

// The side of the face chip the network takes, and the padding around the landmarks' face
// that dlib's own examples use for this model.
constexpr unsigned long chip_side = 150;
constexpr double chip_padding = 0.25;
constexpr int landmark_count = 5;

int fail(char* message, std::size_t capacity, const char* what) {
    if (message != nullptr && capacity > 0) {
        std::strncpy(message, what, capacity - 1);
        message[capacity - 1] = '\0';
    }
    return 1;
}

matrix<rgb_pixel> to_matrix(const std::uint8_t* rgb, std::size_t width, std::size_t height) {
    matrix<rgb_pixel> image(static_cast<long>(height), static_cast<long>(width));
    for (std::size_t y = 0; y < height; ++y) {
        for (std::size_t x = 0; x < width; ++x) {
            const std::uint8_t* p = rgb + 3 * (y * width + x);
            image(static_cast<long>(y), static_cast<long>(x)) = rgb_pixel(p[0], p[1], p[2]);
        }
    }
    return image;
}

rectangle to_rectangle(const double box[4]) {
    return rectangle(static_cast<long>(box[0]), static_cast<long>(box[1]),
                     static_cast<long>(box[0] + box[2]), static_cast<long>(box[1] + box[3]));
}

}  // namespace

struct vneid_landmarker {
    dlib::shape_predictor model;
};

struct vneid_encoder {
    face_net net;
};

extern "C" {

// Loads shape_predictor_5_face_landmarks.dat. 0 and *out set on success; 1 and a message else.
int vneid_landmarker_load(const char* path, vneid_landmarker** out, char* message,
                          std::size_t capacity) {
    try {
        auto loaded = new vneid_landmarker();
        try {
            dlib::deserialize(path) >> loaded->model;
        } catch (...) {
            delete loaded;
            throw;
        }
        if (loaded->model.num_parts() != landmark_count) {
            delete loaded;
            return fail(message, capacity, "the model does not give 5 landmarks");
        }
        *out = loaded;
        return 0;
    } catch (const std::exception& error) {
        return fail(message, capacity, error.what());
    } catch (...) {
        return fail(message, capacity, "unknown error while loading the landmark model");
    }
}

void vneid_landmarker_free(vneid_landmarker* landmarker) { delete landmarker; }

// The 5 landmarks (x, y pairs in image pixels: two corners of one eye, two of the other, the
// base of the nose) of the face in `box` (left, top, width, height). Safe to call from
// several threads at once on one landmarker.
int vneid_landmarks(const vneid_landmarker* landmarker, const std::uint8_t* rgb,
                    std::size_t width, std::size_t height, const double box[4],
                    double points[10], char* message, std::size_t capacity) {
    try {
        const matrix<rgb_pixel> image = to_matrix(rgb, width, height);
        const full_object_detection shape = landmarker->model(image, to_rectangle(box));
        if (shape.num_parts() != landmark_count) {
            return fail(message, capacity, "the landmark model gave an unexpected shape");
        }
        for (unsigned long i = 0; i < landmark_count; ++i) {
            points[2 * i] = static_cast<double>(shape.part(i).x());
            points[2 * i + 1] = static_cast<double>(shape.part(i).y());
        }
        return 0;
    } catch (const std::exception& error) {
        return fail(message, capacity, error.what());
    } catch (...) {
        return fail(message, capacity, "unknown error while finding landmarks");
    }
}

// Loads dlib_face_recognition_resnet_model_v1.dat.
int vneid_encoder_load(const char* path, vneid_encoder** out, char* message, std::size_t capacity) {
    try {
        auto loaded = new vneid_encoder();
        try {
            dlib::deserialize(path) >> loaded->net;
        } catch (...) {
            delete loaded;
            throw;
        }
        *out = loaded;
        return 0;
    } catch (const std::exception& error) {
        return fail(message, capacity, error.what());
    } catch (...) {
        return fail(message, capacity, "unknown error while loading the face descriptor model");
    }
}

void vneid_encoder_free(vneid_encoder* encoder) { delete encoder; }

// The 128-D descriptor of the face in `box` whose landmarks are `points` (as returned by
// vneid_landmarks): the face is cut to a 150x150 chip aligned on the landmarks, then run
// through the network. Not safe to call from two threads at once on one encoder.
int vneid_descriptor(vneid_encoder* encoder, const std::uint8_t* rgb, std::size_t width,
                     std::size_t height, const double box[4], const double points[10],
                     float descriptor[128], char* message, std::size_t capacity) {
    try {
        const matrix<rgb_pixel> image = to_matrix(rgb, width, height);
        std::vector<point> parts;
        for (int i = 0; i < landmark_count; ++i) {
            parts.emplace_back(static_cast<long>(points[2 * i]), static_cast<long>(points[2 * i + 1]));
        }
        const full_object_detection shape(to_rectangle(box), parts);
        matrix<rgb_pixel> chip;
        extract_image_chip(image, get_face_chip_details(shape, chip_side, chip_padding), chip);
        const matrix<float, 0, 1> output = encoder->net(chip);
        if (output.size() != 128) {
            return fail(message, capacity, "the descriptor model gave an unexpected size");
        }
        for (long i = 0; i < 128; ++i) {
            descriptor[i] = output(i);
        }
        return 0;
    } catch (const std::exception& error) {
        return fail(message, capacity, error.what());
    } catch (...) {
        return fail(message, capacity, "unknown error while describing a face");
    }
}

}  // extern "C"
